package io.storegw.rigs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where the two cores went during one phase of the benchmark: CPU per event of the gateway's JVM, the
 * broker and the benchmark's own JVM (raw Paho and the subscriber), and how busy the whole machine was.
 * The phases are CPU-bound on this machine, so a phase's rate is about the cores divided by the CPU
 * all processes spend per event; this shows which process a ratio is made of.
 */
final class CpuMeter {

    /** Linux reports /proc/stat in USER_HZ ticks, 100 a second on every architecture it runs on. */
    private static final double TICKS_PER_SECOND = 100;

    private final ProcessHandle broker;

    CpuMeter(ProcessHandle broker) {
        this.broker = broker;
    }

    /** The counters now; {@code gateway} is null in the phases without one. */
    Mark mark(ProcessHandle gateway) {
        long[] machine = machineTicks();
        return new Mark(System.nanoTime(), gateway, cpuNanos(gateway), cpuNanos(broker), cpuNanos(ProcessHandle.current()),
                machine[0], machine[1]);
    }

    /** What the phase cost since {@code start}, for {@code events} events. */
    Use since(Mark start, long events) {
        Mark end = mark(start.gateway);
        double seconds = (end.atNanos - start.atNanos) / 1e9;
        double perThousand = 1e-6 / (events / 1000.0);
        return new Use(start.gateway == null ? -1 : (end.gatewayNanos - start.gatewayNanos) * perThousand,
                (end.brokerNanos - start.brokerNanos) * perThousand, (end.benchNanos - start.benchNanos) * perThousand,
                (end.busyTicks - start.busyTicks) / TICKS_PER_SECOND / seconds,
                (end.stealTicks - start.stealTicks) / TICKS_PER_SECOND / seconds);
    }

    /** Counters at the start of a phase. */
    record Mark(long atNanos, ProcessHandle gateway, long gatewayNanos, long brokerNanos, long benchNanos, long busyTicks,
                long stealTicks) {
    }

    /**
     * CPU ms per 1,000 events by process ({@code gatewayMs} -1 without a gateway), and the machine's busy and
     * stolen time in cores (of all processes, this benchmark's or not).
     */
    record Use(double gatewayMs, double brokerMs, double benchMs, double busyCores, double stealCores) {

        double allMs() {
            return Math.max(0, gatewayMs) + brokerMs + benchMs;
        }
    }

    private static long cpuNanos(ProcessHandle process) {
        if (process == null) {
            return 0;
        }
        return process.info().totalCpuDuration().orElseThrow(
                () -> new IllegalStateException("no CPU time for process " + process.pid())).toNanos();
    }

    /** Busy (user, nice, system, irq, softirq) and stolen ticks of all cores since boot. */
    private static long[] machineTicks() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait irq softirq steal ..."
            long[] t = Arrays.stream(cpu.trim().split("\\s+")).skip(1).mapToLong(Long::parseLong).toArray();
            return new long[] {t[0] + t[1] + t[2] + t[5] + t[6], t[7]};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat", e);
        }
    }
}
