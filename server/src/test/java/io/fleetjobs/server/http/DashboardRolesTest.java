package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The dashboard hides the buttons a role may not use from its own table of operations (webroot/js/roles.js);
 * that table must say what the contract's x-fleetjobs-role says, or a button would show that the server
 * then refuses, or hide one it allows.
 */
class DashboardRolesTest {

  @Test
  void the_dashboards_role_table_matches_the_contract_for_every_operation_beyond_reading() throws IOException {
    Map<String, String> contract = new TreeMap<>();
    Map<String, Object> document = new Yaml().load(resource("openapi.yaml"));
    for (Object pathItem : ((Map<?, ?>) document.get("paths")).values()) {
      for (Object operation : ((Map<?, ?>) pathItem).values()) {
        if (operation instanceof Map<?, ?> op && op.get("operationId") != null) {
          String role = String.valueOf(op.get(BearerTokenHandler.ROLE_EXTENSION));
          if (role.equals("operator") || role.equals("admin")) {
            contract.put(op.get("operationId").toString(), role);
          }
        }
      }
    }
    Map<String, String> dashboard = new TreeMap<>();
    String roles = resource("webroot/js/roles.js");
    Matcher entry = Pattern.compile("(\\w+): '(reader|operator|admin)'").matcher(roles.substring(roles.indexOf("OPS")));
    while (entry.find()) {
      dashboard.put(entry.group(1), entry.group(2));
    }
    assertEquals(contract, dashboard);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = DashboardRolesTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
