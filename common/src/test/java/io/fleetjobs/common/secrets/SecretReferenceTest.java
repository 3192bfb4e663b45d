package io.fleetjobs.common.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What a reference may name, refused with the field of whoever uses it: credentials and webhook receivers alike. */
class SecretReferenceTest {

  @Test
  void a_file_or_a_prefixed_variable_is_kept_and_shown_as_given() {
    JsonObject file = new JsonObject().put("file", "/run/secrets/hook");
    assertEquals(file, SecretReference.fromJson(file, "secretFrom").toJson());
    assertEquals("the file /run/secrets/hook", SecretReference.fromJson(file, "secretFrom").describe());
    JsonObject env = new JsonObject().put("env", "FLEETJOBS_SECRET_HOOK");
    assertEquals("the variable FLEETJOBS_SECRET_HOOK", SecretReference.fromJson(env, "secretFrom").describe());
    assertNull(SecretReference.fromJson(null, "secretFrom"));
  }

  @Test
  void a_reference_that_could_read_the_agents_settings_is_refused_naming_the_callers_field() {
    String field = "webhookReceivers[0].secretFrom";
    assertEquals(field + ".env", refused(new JsonObject().put("env", "FLEETJOBS_MASTER_KEY"), field));
    assertEquals(field + ".env", refused(new JsonObject().put("env", "HOME"), field));
    assertEquals(field + ".file", refused(new JsonObject().put("file", "relative/hook"), field));
    assertEquals(field, refused(new JsonObject().put("file", "/a").put("env", "FLEETJOBS_SECRET_A"), field));
    assertEquals(field, refused(new JsonObject(), field));
    assertEquals(field, refused(new JsonObject().put("file", 7), field));
  }

  private static String refused(JsonObject reference, String field) {
    return assertThrows(InvalidInput.class, () -> SecretReference.fromJson(reference, field)).target();
  }
}
