package io.fleetjobs.server.targets.sqlserver;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import io.fleetjobs.server.config.SqlServerSettings.Entra;
import java.util.Locale;

/** The azure-identity credential for the agent's configured identity. Building one calls no service. */
public final class EntraCredentials {
  private EntraCredentials() {
  }

  public static TokenCredential of(Entra entra) {
    return switch (entra.mode()) {
      // A user-assigned identity, named by its client id, like the Azure agent's UMI.
      case ManagedIdentity -> new ManagedIdentityCredentialBuilder()
        .clientId(entra.clientId())
        .build();
      case ServicePrincipal -> entra.clientSecret() != null
        ? new ClientSecretCredentialBuilder()
          .tenantId(entra.tenantId())
          .clientId(entra.clientId())
          .clientSecret(entra.clientSecret())
          .build()
        : certificate(entra);
      case DefaultAzureCredential -> {
        DefaultAzureCredentialBuilder builder = new DefaultAzureCredentialBuilder();
        if (entra.clientId() != null) {
          builder.managedIdentityClientId(entra.clientId());
        }
        if (entra.tenantId() != null) {
          builder.tenantId(entra.tenantId());
        }
        yield builder.build();
      }
      case NONE -> throw new IllegalArgumentException("No Entra identity is configured.");
    };
  }

  /** PFX and P12 files are PKCS#12; anything else is read as PEM (certificate and private key). */
  private static TokenCredential certificate(Entra entra) {
    String path = entra.certificatePath();
    ClientCertificateCredentialBuilder builder = new ClientCertificateCredentialBuilder()
      .tenantId(entra.tenantId())
      .clientId(entra.clientId());
    String lower = path.toLowerCase(Locale.ROOT);
    return (lower.endsWith(".pfx") || lower.endsWith(".p12") ? builder.pfxCertificate(path) : builder.pemCertificate(path))
      .build();
  }
}
