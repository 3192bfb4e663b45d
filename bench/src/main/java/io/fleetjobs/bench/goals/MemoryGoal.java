package io.fleetjobs.bench.goals;

import io.fleetjobs.bench.support.AgentApi;
import io.fleetjobs.bench.support.JarAgent;
import io.fleetjobs.bench.support.JobDatabases;
import io.fleetjobs.bench.support.Table;
import io.fleetjobs.bench.support.TargetServers;
import io.fleetjobs.server.config.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Goal 3 (memory): the agent's own process, from the fat jar, on JA800 with every slot busy ({@code pg_sleep(5)}
 * on each target), twice: with the JVM flags of the container image, and with the README's {@code java -jar}.
 * It reports the largest resident set seen, the heap after a full GC while 800 targets are in flight, the
 * JVM's maximum heap, and, once the run has ended, how many of the agent's own objects are still live (a
 * finished execution must not keep per-target objects).
 */
public final class MemoryGoal {
  /** The image's JAVA_OPTS, as docker/Dockerfile sets them; here without a container limit, their worst case. */
  static final List<String> IMAGE_FLAGS = List.of("-XX:MaxRAMPercentage=60", "-XX:InitialRAMPercentage=10",
    "-XX:+ExitOnOutOfMemoryError");
  /** The README's first command. */
  static final List<String> README_FLAGS = List.of("-Xmx256m");
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  private static final Pattern MAX_HEAP = Pattern.compile("-XX:MaxHeapSize=(\\d+)");

  private MemoryGoal() {
  }

  /** @param targets how many targets the run has (a thousand per loopback address) */
  public static void run(TargetServers targetServers, JobDatabases jobServer, Path jar, int targets) throws Exception {
    targetServers.ensureDatabases(1000);
    Table table = new Table("JVM flags", "max heap (MiB)", "largest RSS (MiB)", "heap after GC, 800 in flight (MiB)",
      "in flight at that GC", "run (s)", "agent objects live after the run");
    for (Map.Entry<String, List<String>> flags : List.of(
        Map.entry("the image's: " + String.join(" ", IMAGE_FLAGS), IMAGE_FLAGS),
        Map.entry("the README's: " + String.join(" ", README_FLAGS), README_FLAGS),
        Map.entry("none (the JVM's default: a quarter of the machine's memory)", List.<String>of()))) {
      Measured m = measure(targetServers, jobServer, jar, flags.getValue(), targets);
      table.row(flags.getKey(), m.maxHeapMib(), m.largestRssMib(), m.heapAfterGcMib(), m.inFlight(), m.seconds(),
        m.liveAfterRun());
    }
    table.print("Goal 3: the agent's memory on JA800, " + targets + " targets of pg_sleep(5)");
  }

  record Measured(long maxHeapMib, long largestRssMib, long heapAfterGcMib, long inFlight, double seconds,
                  String liveAfterRun) {
  }

  private static Measured measure(TargetServers targetServers, JobDatabases jobServer, Path jar, List<String> flags,
                                  int targets) throws Exception {
    String database = jobServer.create();
    Path data = Files.createTempDirectory("fleetjobs-bench-agent");
    try (JarAgent agent = JarAgent.start(jar, flags, jobServer.url(database), Tier.JA800, data)) {
      AgentApi api = agent.api();
      List<String> servers = new ArrayList<>();
      for (int i = 0; i < targets / 1000; i++) {
        servers.add(targetServers.serverName(i));
      }
      api.job("sleep", servers.isEmpty() ? AgentApi.databases(targetServers.serverName(0),
        targetServers.databases(targets)) : AgentApi.servers(servers), "SELECT pg_sleep(5)");
      long maxHeap = maxHeap(agent.pid());
      long started = System.nanoTime();
      String id = api.start("sleep");
      long largestRss = 0;
      long heapAfterGc = 0;
      long inFlightAtGc = 0;
      while (true) {
        largestRss = Math.max(largestRss, rssKib(agent.pid()));
        long inFlight = (long) jobServer.number(database, "SELECT count(*) FROM jobs_internal.target_executions"
          + " WHERE lifecycle = 'InProgress' AND NOT expands_member");
        // Once every slot is busy, a full GC shows what the run holds; the largest of a few such readings.
        if (inFlight >= 790 && System.nanoTime() - started > TimeUnit.SECONDS.toNanos(2)) {
          long heap = heapAfterGc(agent.pid());
          if (heap > heapAfterGc) {
            heapAfterGc = heap;
            inFlightAtGc = inFlight;
          }
        }
        String lifecycle = api.get("/jobs/sleep/executions/" + id).getString("lifecycle");
        if (!lifecycle.equals("InProgress") && !lifecycle.equals("Created")) {
          if (!lifecycle.equals("Succeeded")) {
            throw new IllegalStateException("The memory run ended " + lifecycle);
          }
          break;
        }
        Thread.sleep(500);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      largestRss = Math.max(largestRss, peakRssKib(agent.pid()));
      String live = liveAgentObjects(agent.pid());
      return new Measured(maxHeap / (1024 * 1024), largestRss / 1024, heapAfterGc / 1024, inFlightAtGc, seconds, live);
    }
  }

  private static long rssKib(long pid) throws Exception {
    return statusField(pid, "VmRSS:");
  }

  private static long peakRssKib(long pid) throws Exception {
    return statusField(pid, "VmHWM:");
  }

  private static long statusField(long pid, String field) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException(field + " is not in /proc/" + pid + "/status");
  }

  /** Forces a full collection in the agent and reads the heap in use afterwards, in KiB. */
  private static long heapAfterGc(long pid) throws Exception {
    jcmd(pid, "GC.run");
    Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
    if (!used.find()) {
      throw new IllegalStateException("jcmd GC.heap_info gave no heap figure");
    }
    return Long.parseLong(used.group(1));
  }

  private static long maxHeap(long pid) throws Exception {
    Matcher max = MAX_HEAP.matcher(jcmd(pid, "VM.flags"));
    if (!max.find()) {
      throw new IllegalStateException("jcmd VM.flags gave no MaxHeapSize");
    }
    return Long.parseLong(max.group(1));
  }

  /** After a full GC: the live instances of the agent's own classes, and the three most numerous. */
  private static String liveAgentObjects(long pid) throws Exception {
    long total = 0;
    List<String> top = new ArrayList<>();
    for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
      String[] columns = line.trim().split("\\s+");
      if (columns.length >= 4 && columns[3].startsWith("io.fleetjobs.")) {
        total += Long.parseLong(columns[1]);
        if (top.size() < 3) {
          top.add(columns[3].substring(columns[3].lastIndexOf('.') + 1) + " " + columns[1]);
        }
      }
    }
    return total + " (" + String.join(", ", top) + ")";
  }

  private static String jcmd(long pid, String command) throws Exception {
    Process jcmd = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
    String output = new String(jcmd.getInputStream().readAllBytes());
    if (jcmd.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + command + ": " + output);
    }
    return output;
  }
}
