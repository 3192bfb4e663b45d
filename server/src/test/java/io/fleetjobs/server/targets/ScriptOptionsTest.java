package io.fleetjobs.server.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The application name a step's sessions show, and the action types as stored. Pure. */
class ScriptOptionsTest {

  @Test
  void a_steps_sessions_are_named_after_its_job_and_step() {
    assertEquals("fleetjobs/nightly/reindex", ScriptOptions.applicationName("nightly", "reindex"));
  }

  @Test
  void a_long_name_is_cut_to_63_bytes_on_a_character_boundary() {
    String cut = ScriptOptions.applicationName("j".repeat(40), "s".repeat(40));
    assertEquals(63, cut.getBytes(StandardCharsets.UTF_8).length);
    assertEquals("fleetjobs/" + "j".repeat(40) + "/" + "s".repeat(12), cut);
    // 'ü' takes 2 bytes and '😀' 4: neither is ever cut in half.
    String umlauts = ScriptOptions.applicationName("ü".repeat(30), "step");
    assertEquals("fleetjobs/" + "ü".repeat(26), umlauts, "10 + 52 bytes; a 27th would need 64");
    String emoji = ScriptOptions.applicationName("😀".repeat(20), "step");
    assertEquals("fleetjobs/" + "😀".repeat(13), emoji, "10 + 52 bytes");
  }

  @Test
  void action_types_read_as_stored() {
    assertEquals(ActionType.TSQL, ActionType.of("TSql"));
    assertEquals(ActionType.SQL, ActionType.of("Sql"));
    assertEquals(ActionType.TSQL, ActionType.of(null));
    assertThrows(IllegalArgumentException.class, () -> ActionType.of("PlSql"));
  }
}
