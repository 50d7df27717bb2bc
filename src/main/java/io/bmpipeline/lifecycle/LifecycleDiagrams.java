package io.bmpipeline.lifecycle;

import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes the lifecycle diagrams from {@link LifecycleTable}, so they cannot drift from the code:
 * {@code docs/lifecycle.dot} (statuses and every row) and {@code docs/dhcp-discovery-flow.dot} (the Phase 0 flow,
 * its decision part taken from the lease rows). A test compares the committed files with this output.
 *
 * <p>Regenerate: {@value #REGENERATE}
 */
public final class LifecycleDiagrams {

    public static final String REGENERATE =
            "./mvnw -q -B compile && \"$JAVA_HOME\"/bin/java -cp target/classes io.bmpipeline.lifecycle.LifecycleDiagrams .";
    public static final String LIFECYCLE_DOT = "docs/lifecycle.dot";
    public static final String DISCOVERY_FLOW_DOT = "docs/dhcp-discovery-flow.dot";

    private static final String HEADER = "// Generated from io.bmpipeline.lifecycle.LifecycleTable by LifecycleDiagrams:"
            + " do not edit.\n// Regenerate: " + REGENERATE + "\n";
    private static final String FONT = "fontname=\"Helvetica\"";

    private final LifecycleTable table;

    public LifecycleDiagrams(LifecycleTable table) {
        this.table = table;
    }

    /** Writes both files under {@code args[0]} (the repository root; default: the working directory). */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        LifecycleDiagrams diagrams = new LifecycleDiagrams(LifecycleTable.STANDARD);
        for (Map.Entry<String, String> file : diagrams.files().entrySet()) {
            Path target = root.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
            System.out.println("wrote " + target);
        }
    }

    /** Relative path → content, for every generated file. */
    public Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(LIFECYCLE_DOT, lifecycleDot());
        files.put(DISCOVERY_FLOW_DOT, discoveryFlowDot());
        return files;
    }

    // ---- docs/lifecycle.dot ------------------------------------------------------------------------------------

    public String lifecycleDot() {
        StringBuilder dot = new StringBuilder(HEADER);
        dot.append("digraph lifecycle {\n");
        dot.append("  graph [rankdir=TB, ").append(FONT).append(", fontsize=12, labelloc=t, nodesep=0.5, ranksep=0.6,")
                .append(" label=\"bm-pipeline device lifecycle: status × event → decision\"];\n");
        dot.append("  node [shape=plaintext, ").append(FONT).append(", fontsize=10];\n");
        dot.append("  edge [").append(FONT).append(", fontsize=9];\n\n");

        Set<DeviceStatus> all = EnumSet.allOf(DeviceStatus.class);
        Map<List<Rule>, List<DeviceStatus>> groups = statusGroups();
        Map<DeviceStatus, String> nodeOf = new LinkedHashMap<>();
        for (Map.Entry<List<Rule>, List<DeviceStatus>> group : groups.entrySet()) {
            String node = nodeId(group.getValue());
            group.getValue().forEach(s -> nodeOf.put(s, node));
            boolean lifecycle = group.getValue().getFirst().isLifecycle();
            String title = group.getValue().stream().map(DeviceStatus::netboxValue)
                    .map(v -> v.equals(DeviceStatus.OTHER.netboxValue()) ? "any other status" : v)
                    .collect(Collectors.joining(" · "));
            List<String[]> rows = new ArrayList<>();
            for (Rule rule : group.getKey()) {
                if (!rule.changesStatus() && !rule.from().equals(all)) {
                    rows.add(new String[] {eventsLabel(rule), rule.guard().label(), rule.decision().label()});
                }
            }
            dot.append("  ").append(node).append(" [label=<")
                    .append(htmlTable(title, lifecycle ? "#dbe9f6" : "#eeeeee", rows)).append(">];\n");
        }

        List<String[]> everywhere = new ArrayList<>();
        for (Rule rule : table.rules()) {
            if (rule.from().equals(all)) {
                everywhere.add(new String[] {eventsLabel(rule), rule.guard().label(), rule.decision().label()});
            }
        }
        if (!everywhere.isEmpty()) {
            dot.append("  every_status [label=<").append(htmlTable("in every status", "#f6dbdb", everywhere))
                    .append(">];\n");
        }

        dot.append("\n  // the forward path: the promoting rows, one edge per pair of statuses\n");
        Map<String, List<String>> edges = new LinkedHashMap<>();
        for (Rule rule : table.rules()) {
            if (rule.decision() instanceof Decision.Promote promote) {
                String line = eventsLabel(rule)
                        + (rule.guard().label().isEmpty() ? "" : " [" + rule.guard().label() + "]")
                        + switch (promote.bmcIp()) {
                            case KEEP -> "";
                            case ASSIGN -> ": + assign BMC IP";
                            case REPLACE -> ": + replace BMC IP";
                        };
                for (DeviceStatus from : rule.from()) {
                    edges.computeIfAbsent(nodeOf.get(from) + " -> " + nodeOf.get(promote.to()),
                            k -> new ArrayList<>(List.of("promote to " + promote.to()))).add(line);
                }
            }
        }
        edges.forEach((edge, lines) -> dot.append("  ").append(edge).append(" [label=\"")
                .append(quoted(String.join("\n", lines))).append("\", penwidth=1.6];\n"));
        List<String> others = DeviceStatus.UNTOUCHABLE.stream().map(nodeOf::get).distinct().toList();
        dot.append("\n  // statuses the pipeline never touches, and the rows of every status, beside the path\n");
        dot.append("  { rank=same; ").append(nodeOf.get(DeviceStatus.OFFLINE)).append("; ")
                .append(String.join("; ", others)).append(everywhere.isEmpty() ? "" : "; every_status")
                .append("; }\n");
        dot.append("}\n");
        return dot.toString();
    }

    /** Statuses that every event sends to the same rows are drawn as one node (the untouchable ones). */
    private Map<List<Rule>, List<DeviceStatus>> statusGroups() {
        Map<List<Rule>, List<DeviceStatus>> groups = new LinkedHashMap<>();
        for (DeviceStatus status : DeviceStatus.values()) {
            List<Rule> rules = table.rules().stream().filter(r -> r.from().contains(status)).toList();
            groups.computeIfAbsent(rules, k -> new ArrayList<>()).add(status);
        }
        return groups;
    }

    private static String nodeId(List<DeviceStatus> statuses) {
        return statuses.size() == 1 ? statuses.getFirst().name().toLowerCase(Locale.ROOT) : "untouchable";
    }

    // ---- docs/dhcp-discovery-flow.dot --------------------------------------------------------------------------

    public String discoveryFlowDot() {
        StringBuilder dot = new StringBuilder(HEADER);
        dot.append("digraph dhcp_discovery_flow {\n");
        dot.append("  graph [rankdir=TB, ").append(FONT).append(", fontsize=12, labelloc=t, nodesep=0.35,")
                .append(" label=\"Phase 0: a BMC lease becomes a NetBox change (decisions from LifecycleTable)\"];\n");
        dot.append("  node [shape=box, style=rounded, ").append(FONT).append(", fontsize=10];\n");
        dot.append("  edge [").append(FONT).append(", fontsize=9];\n\n");

        dot.append("  lease [label=\"DhcpLeaseEvent\\n(").append(EventTypes.DHCP_LEASE_OBSERVED).append(" on ")
                .append(Topics.DHCP_EVENTS).append(")\"];\n");
        dot.append("  bmc_filter [shape=diamond, style=\"\", label=\"BMC filter\\nOUI prefix · vendor class ·\\n"
                + "MAC known as a BMC MAC in NetBox\"];\n");
        dot.append("  not_bmc [label=\"not a BMC lease:\\ncounted, dropped\"];\n");
        dot.append("  lookup [label=\"look up devices\\nby BMC MAC in NetBox\"];\n");
        dot.append("  unexpected [label=\"seen, not expected:\\n").append(EventTypes.DHCP_LEASE_UNEXPECTED)
                .append(" on ").append(Topics.DHCP_EVENTS).append(",\\ncounted; no NetBox write\"];\n");
        dot.append("  conflicts [shape=diamond, style=\"\", label=\"quarantine checks\\n"
                + "BMC MAC on several devices?\\nleased IP on another BMC?\"];\n");
        dot.append("  decide [shape=diamond, style=\"\", label=\"device status ×\\nrecorded BMC IP\\n"
                + "(LifecycleTable.decide)\"];\n");
        dot.append("  limiter [label=\"FlapLimiter: journal once per device\\nand decision per window, count the rest\","
                + " style=\"rounded,dashed\"];\n\n");

        dot.append("  lease -> bmc_filter;\n");
        dot.append("  bmc_filter -> not_bmc [label=\"no\"];\n");
        dot.append("  bmc_filter -> lookup [label=\"yes\"];\n");
        dot.append("  lookup -> unexpected [label=\"no device\"];\n");
        dot.append("  lookup -> conflicts [label=\"device(s) found\"];\n");
        dot.append("  conflicts -> decide [label=\"no conflict\"];\n\n");

        // One node per distinct decision the lease rows make, in row order; edges say which rows lead there.
        Map<Decision, List<Rule>> byDecision = new LinkedHashMap<>();
        for (Rule rule : table.rules()) {
            if (rule.on().contains(LifecycleEvent.Kind.BMC_LEASE_OBSERVED)) {
                byDecision.computeIfAbsent(rule.decision(), d -> new ArrayList<>()).add(rule);
            }
        }
        int n = 0;
        boolean anyLimited = false;
        for (Map.Entry<Decision, List<Rule>> entry : byDecision.entrySet()) {
            Decision decision = entry.getKey();
            String node = "d" + (++n);
            dot.append("  ").append(node).append(" [label=\"").append(quoted(decisionWithEffects(decision)))
                    .append("\", style=\"rounded,filled\", fillcolor=\"").append(fill(decision)).append("\"];\n");
            boolean quarantine = decision instanceof Decision.Quarantine;
            String from = quarantine ? "conflicts" : "decide";
            List<String> lines = new ArrayList<>();
            for (Rule rule : entry.getValue()) {
                String statuses = statusesLabel(rule.from());
                String facts = quarantine ? rule.guard().label()
                        : rule.guard().recordedBmcIp().size() == RecordedBmcIp.values().length ? "any BMC IP"
                        : EnumSet.copyOf(rule.guard().recordedBmcIp()).stream().map(RecordedBmcIp::label)
                                .collect(Collectors.joining(" | "));
                lines.add(quarantine ? facts : statuses + ": " + facts);
            }
            dot.append("  ").append(from).append(" -> ").append(node).append(" [label=\"")
                    .append(quoted(String.join("\n", lines)).replace("\n", "\\n")).append("\"];\n");
            if (decision.journal().filter(j -> j.policy() == Decision.JournalPolicy.ONCE_PER_WINDOW).isPresent()) {
                dot.append("  ").append(node).append(" -> limiter [style=dashed, arrowhead=none];\n");
                anyLimited = true;
            }
        }
        if (!anyLimited) {
            dot.append("  limiter [style=invis];\n");
        }
        dot.append("}\n");
        return dot.toString();
    }

    private static String decisionWithEffects(Decision decision) {
        StringBuilder label = new StringBuilder(decision.label().toUpperCase(Locale.ROOT).charAt(0) + decision.label()
                .substring(1));
        label.append("\n").append(decision.writes().isEmpty() ? "no NetBox write"
                : "writes: " + decision.writes().stream().map(LifecycleDiagrams::writeLabel)
                        .collect(Collectors.joining(", ")));
        decision.journal().ifPresent(j -> label.append("\njournal: ").append(j.kind().apiValue())
                .append(j.policy() == Decision.JournalPolicy.ONCE_PER_WINDOW ? " (rate-limited)" : ""));
        decision.announcement().ifPresentOrElse(
                a -> label.append("\nevent: ").append(a.type()).append(" on ").append(a.topic()),
                () -> label.append("\nno event"));
        return label.toString();
    }

    private static String writeLabel(Decision.NetBoxWrite write) {
        return switch (write) {
            case STATUS -> "status";
            case BMC_IP -> "BMC interface IP";
            case OOB_IP -> "oob_ip";
            case LOCAL_CONTEXT -> "local config context";
        };
    }

    private static String fill(Decision decision) {
        return switch (decision.kind()) {
            case PROMOTE -> "#d5f0d5";
            case ASSIGN_BMC_IP, REFRESH_BMC_IP, RECORD_STEP -> "#dbe9f6";
            case NO_OP -> "#f4f4f4";
            case WARN -> "#fbefcf";
            case QUARANTINE, REPORT_FAILURE -> "#f6dbdb";
        };
    }

    // ---- shared ------------------------------------------------------------------------------------------------

    private static String eventsLabel(Rule rule) {
        if (rule.on().size() == LifecycleEvent.Kind.values().length) {
            return "any event";
        }
        if (rule.on().size() > 2) {
            return "any phase event";
        }
        return rule.on().stream().map(LifecycleEvent.Kind::label).collect(Collectors.joining(" | "));
    }

    private static String statusesLabel(Set<DeviceStatus> statuses) {
        if (statuses.equals(DeviceStatus.UNTOUCHABLE)) {
            return "any other status";
        }
        return statuses.stream().map(DeviceStatus::netboxValue).collect(Collectors.joining(" | "));
    }

    private static String htmlTable(String title, String color, List<String[]> rows) {
        StringBuilder html = new StringBuilder("<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">");
        html.append("<tr><td colspan=\"3\" bgcolor=\"").append(color).append("\"><b>").append(escapeHtml(title))
                .append("</b></td></tr>");
        for (String[] row : rows) {
            html.append("\n    <tr>");
            for (String cell : row) {
                html.append("<td align=\"left\">").append(escapeHtml(cell)).append("</td>");
            }
            html.append("</tr>");
        }
        return html.append("\n  </table>").toString();
    }

    private static String escapeHtml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Escapes a DOT double-quoted string; {@code \n} sequences already in the text are kept as line breaks. */
    private static String quoted(String text) {
        return text.replace("\"", "\\\"").replace("\n", "\\n");
    }
}
