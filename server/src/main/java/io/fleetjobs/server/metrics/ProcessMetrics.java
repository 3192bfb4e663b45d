package io.fleetjobs.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The process as every JVM service reports it, through Micrometer's own binders: memory (heap and non-heap pools),
 * garbage collection, threads, classes, CPU (process_cpu_seconds_total, as Prometheus' own clients name it), open
 * files and uptime. The job database's pools are reported by
 * Vert.x itself ({@link MeteredVertx}). Closing stops listening to the garbage collector.
 */
public final class ProcessMetrics implements AutoCloseable {
  private final JvmGcMetrics gc;

  private ProcessMetrics(JvmGcMetrics gc) {
    this.gc = gc;
  }

  public static ProcessMetrics bindTo(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean cpu) {
      FunctionCounter.builder("process.cpu", cpu, bean -> bean.getProcessCpuTime() / 1e9)
        .baseUnit("seconds")
        .description("CPU time the process used")
        .register(registry);
    }
    return new ProcessMetrics(gc);
  }

  @Override
  public void close() {
    gc.close();
  }
}
