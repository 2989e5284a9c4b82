package dev.odin.receiver.otlp;

import dev.odin.signal.OtlpRequestException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The OTLP/JSON decoder ODIN had before issue 13, kept as the reference the streaming
 * {@link OtlpJson} is compared with (OtlpJsonTest, the bench): a Jackson tree, trace and span ids
 * rewritten to base64 in it, then the tree printed and read again by protobuf's JsonFormat.
 *
 * <p>OTLP/JSON through protobuf's JsonFormat. OTLP/JSON differs from the canonical protobuf JSON
 * mapping in one way that matters: trace and span ids are hex strings, not base64. Those fields
 * are rewritten before JsonFormat reads the document (enum integers and int64 as strings or
 * numbers JsonFormat already accepts).
 */
public final class TreeOtlpJson {

    private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId", "trace_id",
            "span_id", "parent_span_id");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private TreeOtlpJson() {
    }

    /** @throws OtlpRequestException (400) when the document is not OTLP/JSON */
    public static void merge(byte[] json, Message.Builder into) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw OtlpRequestException.badRequest("body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw OtlpRequestException.badRequest("body is not readable JSON: " + e.getMessage());
        }
        if (tree == null || tree.isMissingNode()) {
            return; // an empty body is an empty request
        }
        if (!tree.isObject()) {
            throw OtlpRequestException.badRequest("body is JSON but not an object");
        }
        rewriteIds(tree);
        try {
            PARSER.merge(tree.toString(), into);
        } catch (InvalidProtocolBufferException e) {
            throw OtlpRequestException.badRequest("body is not an OTLP JSON request: " + e.getMessage());
        } catch (RuntimeException e) {
            // JsonFormat throws unchecked exceptions for some malformed values
            throw OtlpRequestException.badRequest("body is not an OTLP JSON request: " + e);
        }
    }

    private static void rewriteIds(JsonNode node) {
        if (node.isObject()) {
            ObjectNode obj = (ObjectNode) node;
            for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (ID_FIELDS.contains(e.getKey()) && v.isTextual()) {
                    e.setValue(new TextNode(hexToBase64(e.getKey(), v.asText())));
                } else if (v.isContainerNode()) {
                    rewriteIds(v);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode child : (ArrayNode) node) {
                rewriteIds(child);
            }
        }
    }

    private static String hexToBase64(String field, String hex) {
        if (hex.isEmpty()) {
            return hex;
        }
        try {
            return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw OtlpRequestException.badRequest(field + " '" + abbreviate(hex) + "' is not a hex string");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
