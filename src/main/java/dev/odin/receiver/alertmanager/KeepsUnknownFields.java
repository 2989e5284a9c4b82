package dev.odin.receiver.alertmanager;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import java.util.LinkedHashMap;
import java.util.Map;

/** A webhook object that keeps the fields a newer Alertmanager adds, and writes them back out. */
abstract class KeepsUnknownFields {

    private final Map<String, Object> extra = new LinkedHashMap<>();

    @JsonAnySetter
    public void extra(String key, Object value) {
        extra.put(key, value);
    }

    @JsonAnyGetter
    public Map<String, Object> extra() {
        return extra;
    }
}
