package io.bmpipeline.netbox;

import static io.bmpipeline.netbox.NetBoxApi.JOURNAL_ENTRIES;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Devices' journals: NetBox's audit trail of what the pipeline did and why, written and read back. */
public final class NetBoxJournal {

    private final NetBoxApi api;
    private final Function<NewEntry, JournalEntry> write;
    private final Function<Query, List<JournalEntry>> entries;

    /** A journal entry to write. */
    public record NewEntry(long deviceId, JournalEntry.Kind kind, String comments) {}

    /** A device's journal entries created at or after {@code since} (empty: all of them). */
    private record Query(long deviceId, Optional<Instant> since) {}

    NetBoxJournal(NetBoxApi api, RequestSharing sharing) {
        this.api = api;
        this.write = sharing.write("journal-write", this::writeAlone, this::writeEach);
        this.entries = sharing.read("journal-read", q -> entriesOfDevices(List.of(q.deviceId()), q.since()),
                this::entriesEach);
    }

    public JournalEntry write(long deviceId, JournalEntry.Kind kind, String comments) {
        return write.apply(new NewEntry(deviceId, kind, comments));
    }

    /** Many journal entries in one request. */
    public void writeAll(List<NewEntry> entries) {
        if (!entries.isEmpty()) {
            api.http().post(JOURNAL_ENTRIES, body(entries));
        }
    }

    public List<JournalEntry> entries(long deviceId) {
        return entries(deviceId, Optional.empty());
    }

    /**
     * The device's journal entries NetBox created at or after {@code since} (all when empty): a lease's entry is
     * looked for among the entries written since it was seen, not through the device's whole journal.
     */
    public List<JournalEntry> entries(long deviceId, Optional<Instant> since) {
        return entries.apply(new Query(deviceId, since));
    }

    /** The journal entries of many devices, batched. */
    public List<JournalEntry> entriesOfDevices(Collection<Long> deviceIds) {
        return entriesOfDevices(deviceIds, Optional.empty());
    }

    /** The devices' journal entries, only those NetBox created at or after {@code since} when given. */
    public List<JournalEntry> entriesOfDevices(Collection<Long> deviceIds, Optional<Instant> since) {
        return api.listInBatches(JOURNAL_ENTRIES, "assigned_object_id", NetBoxApi.distinct(deviceIds, String::valueOf),
                batch -> {
                    NetBoxQuery query = NetBoxQuery.of("assigned_object_type", "dcim.device")
                            .and("assigned_object_id", batch);
                    return since.map(s -> query.and("created_after", s.toString())).orElse(query);
                }, JournalEntry::from);
    }

    /** One request for a batch: the earliest {@code since} of the batch serves all of it (each caller filters). */
    private List<List<JournalEntry>> entriesEach(List<Query> queries) {
        Optional<Instant> since = queries.stream().allMatch(q -> q.since().isPresent())
                ? queries.stream().map(q -> q.since().orElseThrow()).min(Comparator.naturalOrder())
                : Optional.empty();
        List<Long> deviceIds = queries.stream().map(Query::deviceId).distinct().toList();
        Map<Long, List<JournalEntry>> byDevice = new HashMap<>();
        entriesOfDevices(deviceIds, since)
                .forEach(e -> byDevice.computeIfAbsent(e.deviceId(), k -> new ArrayList<>()).add(e));
        return queries.stream().map(q -> List.copyOf(byDevice.getOrDefault(q.deviceId(), List.of()))).toList();
    }

    private JournalEntry writeAlone(NewEntry e) {
        return JournalEntry.from(api.http().post(JOURNAL_ENTRIES, body(e)));
    }

    private List<JournalEntry> writeEach(List<NewEntry> entries) {
        List<JournalEntry> written = new ArrayList<>();
        api.http().post(JOURNAL_ENTRIES, body(entries)).forEach(e -> written.add(JournalEntry.from(e)));
        return written;
    }

    private static ArrayNode body(List<NewEntry> entries) {
        ArrayNode body = NetBoxApi.array();
        entries.forEach(e -> body.add(body(e)));
        return body;
    }

    private static ObjectNode body(NewEntry e) {
        return NetBoxApi.object()
                .put("assigned_object_type", "dcim.device")
                .put("assigned_object_id", e.deviceId())
                .put("kind", e.kind().apiValue())
                .put("comments", e.comments());
    }
}
