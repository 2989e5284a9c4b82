package dev.odin.receiver.otlp;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The path a request is routed on: the container's decoded and normalised servlet path plus path
 * info, never the raw request URI. {@code /%76%31/metrics} and {@code /v1;x/metrics} are routed
 * as {@code /v1/metrics}, so every decision taken on a path (which guard, which signal) uses this
 * spelling; the strict firewall has already refused the ambiguous ones.
 */
public final class RoutedPath {

    private RoutedPath() {
    }

    public static String of(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String info = request.getPathInfo();
        String path = info == null ? servletPath : servletPath + info;
        return path == null || path.isEmpty() ? "/" : path;
    }

    /** The OTLP/HTTP receivers' paths: /v1/metrics, /v1/logs, /v1/traces and anything below /v1. */
    public static boolean isOtlp(String path) {
        return path.equals("/v1") || path.startsWith("/v1/");
    }

    /** The Alertmanager receiver's path and anything below /alertmanager. */
    public static boolean isAlertmanager(String path) {
        return path.equals("/alertmanager") || path.startsWith("/alertmanager/");
    }
}
