package io.fleetjobs.server.testsupport.tds;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * TLS as TDS 7.x sets it up (MS-TDS 3.2.5.2, "Sent TLS/SSL Negotiation Packet"): the handshake's records
 * travel inside PRELOGIN packets; once it is done, TLS records go on the socket bare and carry the TDS
 * packets. The JDK's SSLSocket runs over a socket whose streams frame the handshake and then step aside.
 * TLS 1.2 only here: after a TLS 1.3 handshake the server would send its session tickets unframed before the
 * client stops framing, as Schannel-era servers never do.
 */
final class PreloginTls {
  private PreloginTls() {
  }

  static SSLSocket handshake(Socket plain, SSLContext context) throws IOException {
    Framing framing = new Framing(plain);
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(framing, "localhost", plain.getPort(), true);
    tls.setUseClientMode(false);
    tls.setEnabledProtocols(new String[] {"TLSv1.2"});
    tls.startHandshake();
    framing.stepAside();
    return tls;
  }

  /** TDS 8 (encrypt=strict): TLS from the first byte, which was already read to tell the two apart. */
  static SSLSocket strict(Socket plain, int firstByte, SSLContext context) throws IOException {
    InputStream consumed = new ByteArrayInputStream(new byte[] {(byte) firstByte});
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, consumed, true);
    tls.setUseClientMode(false);
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setApplicationProtocols(new String[] {"tds/8.0"});
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    return tls;
  }

  /** A socket whose streams wrap each write in a PRELOGIN packet and unwrap reads, until told to step aside. */
  private static final class Framing extends Socket {
    private final Socket plain;
    private final InputStream rawIn;
    private final OutputStream rawOut;
    private final ByteArrayOutputStream flight = new ByteArrayOutputStream();
    private volatile boolean framed = true;
    private byte[] pending = new byte[0];
    private int pendingAt;

    Framing(Socket plain) throws IOException {
      this.plain = plain;
      this.rawIn = plain.getInputStream();
      this.rawOut = plain.getOutputStream();
    }

    /** Whatever the handshake left unsent goes framed; from now on TLS records go bare. */
    void stepAside() throws IOException {
      sendFlight();
      framed = false;
    }

    private void sendFlight() throws IOException {
      if (flight.size() > 0) {
        TdsWire.write(rawOut, TdsWire.PRELOGIN, flight.toByteArray(), TdsWire.DEFAULT_PACKET_SIZE);
        flight.reset();
      }
    }

    @Override
    public InputStream getInputStream() {
      return new InputStream() {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
          if (!framed && pendingAt == pending.length) {
            return rawIn.read(into, offset, length);
          }
          if (pendingAt == pending.length) {
            sendFlight();
            byte[] body = TdsWire.readPacketBody(rawIn);
            if (body == null) {
              return -1;
            }
            pending = body;
            pendingAt = 0;
          }
          int n = Math.min(length, pending.length - pendingAt);
          System.arraycopy(pending, pendingAt, into, offset, n);
          pendingAt += n;
          return n;
        }
      };
    }

    /**
     * A handshake flight goes out as one TDS message, sent when the TLS layer next waits for the client (or
     * steps aside): mssql-jdbc counts the messages it reads during the handshake, and expects one answer per
     * message it sent, as the driver itself frames its flights.
     */
    @Override
    public OutputStream getOutputStream() {
      return new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] from, int offset, int length) throws IOException {
          if (framed) {
            flight.write(from, offset, length);
          } else {
            rawOut.write(from, offset, length);
          }
        }

        @Override
        public void flush() throws IOException {
          rawOut.flush();
        }
      };
    }

    @Override
    public boolean isConnected() {
      return plain.isConnected();
    }

    @Override
    public boolean isClosed() {
      return plain.isClosed();
    }

    @Override
    public InetAddress getInetAddress() {
      return plain.getInetAddress();
    }

    @Override
    public int getPort() {
      return plain.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
      return plain.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
      return plain.getLocalSocketAddress();
    }

    @Override
    public int getSoTimeout() throws SocketException {
      return plain.getSoTimeout();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
      plain.setSoTimeout(timeout);
    }

    @Override
    public void shutdownInput() throws IOException {
      plain.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
      plain.shutdownOutput();
    }

    @Override
    public synchronized void close() throws IOException {
      plain.close();
    }
  }
}
