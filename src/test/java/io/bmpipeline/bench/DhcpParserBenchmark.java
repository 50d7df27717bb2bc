package io.bmpipeline.bench;

import io.bmpipeline.dhcp.CapturedFrame;
import io.bmpipeline.dhcp.DhcpFrameParser;
import io.bmpipeline.dhcp.FrameSource;
import io.bmpipeline.dhcp.ParsedFrame;
import io.bmpipeline.dhcp.PcapReader;
import java.io.EOFException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parser throughput on the frames of demo/leases.pcap (REQUEST/ACK pairs, an unknown client,
 * a rogue ACK), one thread: operations per second = frames per second per core.
 * Run: bench/parser-bench.sh
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DhcpParserBenchmark {

    private CapturedFrame[] frames;
    private DhcpFrameParser parser;

    @Setup
    public void load() throws Exception {
        List<CapturedFrame> read = new ArrayList<>();
        try (FrameSource source = PcapReader.open(Path.of(System.getProperty("bench.pcap", "demo/leases.pcap")))) {
            while (true) {
                try {
                    source.next(Duration.ZERO).ifPresent(read::add);
                } catch (EOFException end) {
                    break;
                }
            }
        }
        frames = read.toArray(CapturedFrame[]::new);
        if (frames.length != 14) {
            throw new IllegalStateException("expected the 14 frames of demo/leases.pcap, read " + frames.length);
        }
        parser = new DhcpFrameParser();
    }

    @Benchmark
    @OperationsPerInvocation(14)
    public void parseMix(Blackhole sink) {
        for (CapturedFrame frame : frames) {
            ParsedFrame parsed = parser.parse(frame);
            sink.consume(parsed);
        }
    }
}
