package io.bmpipeline.dhcp;

import io.bmpipeline.address.MacAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** A DHCP tap on one interface, or a replay of capture files. Consumer only. */
@UriEndpoint(scheme = "dhcp", title = "DHCP lease tap", syntax = "dhcp:interfaceName", consumerOnly = true,
        category = Category.NETWORKING, firstVersion = "0.1.0")
public class DhcpEndpoint extends DefaultEndpoint {

    @UriPath(description = "Network interface to capture on (live), or a label for a replay")
    private final String interfaceName;

    @UriParam(description = "Replay this pcap/pcapng file or folder instead of capturing live")
    private String pcap = "";

    @UriParam(description = "Comma-separated IPs of the DHCP servers whose ACKs are trusted; empty: all")
    private String servers = "";

    @UriParam(description = "Comma-separated MACs of the DHCP servers whose ACKs are trusted; empty: all")
    private String serverMacs = "";

    @UriParam(description = "Same (xid, MAC, IP) within this window is one lease (HA pairs, retransmits)",
            defaultValue = "60s")
    private String dedupWindow = "60s";

    @UriParam(description = "How long a client's REQUEST is remembered for its ACK", defaultValue = "10s")
    private String requestMemory = "10s";

    @UriParam(description = "Directory of the tap's write-ahead spool; empty: no spool, leases "
            + "read and not yet on the bus are lost by a crash")
    private String spool = "";

    @UriParam(description = "Capture ring (TPACKET_V3) for power-on bursts, bytes", defaultValue = "67108864")
    private int bufferSize = 64 * 1024 * 1024;

    DhcpEndpoint(String uri, DhcpComponent component, String interfaceName) {
        super(uri, component);
        this.interfaceName = interfaceName;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("dhcp: is a consumer only endpoint");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        DhcpConsumer consumer = new DhcpConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    LeaseTap newTap() {
        Set<String> ips = split(servers);
        Set<MacAddress> macs = split(serverMacs).stream().map(m -> MacAddress.parse(m).orElseThrow(
                () -> new IllegalArgumentException("dhcp:" + interfaceName + " serverMacs: '" + m + "' is not a MAC")))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        for (String ip : ips) {
            if (!ip.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                throw new IllegalArgumentException("dhcp:" + interfaceName + " servers: '" + ip + "' is not an IPv4 address");
            }
        }
        return new LeaseTap(new LeaseTap.Allowlist(ips, macs), duration(requestMemory, "requestMemory"),
                duration(dedupWindow, "dedupWindow"));
    }

    /** The application's tap monitor when there is one (readiness, meters); a private one otherwise. */
    TapMonitor monitor() {
        TapMonitor shared = getCamelContext().getRegistry().findSingleByType(TapMonitor.class);
        return shared != null ? shared : new TapMonitor();
    }

    Optional<Path> replayPath() {
        return path(pcap);
    }

    Optional<Path> spoolDirectory() {
        return path(spool);
    }

    /** A path option: blank (the placeholders' default) is none. */
    private static Optional<Path> path(String option) {
        return option == null || option.isBlank() ? Optional.empty() : Optional.of(Path.of(option.strip()));
    }

    private Duration duration(String text, String option) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.parse(text.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("dhcp:" + interfaceName + " " + option + ": '" + text
                    + "' is not a duration (e.g. 500ms, 10s, 5m)", e);
        }
    }

    private static Set<String> split(String list) {
        if (list == null || list.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    public String getInterfaceName() {
        return interfaceName;
    }

    public String getPcap() {
        return pcap;
    }

    public void setPcap(String pcap) {
        this.pcap = pcap;
    }

    public String getServers() {
        return servers;
    }

    public void setServers(String servers) {
        this.servers = servers;
    }

    public String getServerMacs() {
        return serverMacs;
    }

    public void setServerMacs(String serverMacs) {
        this.serverMacs = serverMacs;
    }

    public String getDedupWindow() {
        return dedupWindow;
    }

    public void setDedupWindow(String dedupWindow) {
        this.dedupWindow = dedupWindow;
    }

    public String getRequestMemory() {
        return requestMemory;
    }

    public void setRequestMemory(String requestMemory) {
        this.requestMemory = requestMemory;
    }

    public String getSpool() {
        return spool;
    }

    public void setSpool(String spool) {
        this.spool = spool;
    }

    public int getBufferSize() {
        return bufferSize;
    }

    public void setBufferSize(int bufferSize) {
        this.bufferSize = bufferSize;
    }
}
