package io.fleetjobs.bench.support;

import java.io.IOException;
import java.net.ServerSocket;

/** A loopback port nobody listens on now, for an agent or a job database the bench starts. */
public final class FreePorts {
  private FreePorts() {
  }

  public static int next() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
