package dev.odin.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Every manifest in k8s/ parsed into fabric8's typed Kubernetes objects, and the invariants that
 * make the stack work: Services select pods that exist and reach ports that exist, the ports are
 * ODIN's, every container has probes on ODIN's health endpoints, resources and a hardened
 * security context (or a written reason), kustomizations name files that exist and patch paths
 * that exist, and the PrometheusRule is alerting/rules/ (regenerate it with
 * {@code ./mvnw test -Dtest=KubernetesManifestsTest -Dodin.regenerate=true}).
 */
class KubernetesManifestsTest {

    static final Path K8S = Path.of("k8s");
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of("Namespace", Namespace.class,
            "Deployment", Deployment.class, "DaemonSet", DaemonSet.class, "Service", Service.class,
            "NetworkPolicy", NetworkPolicy.class, "PodDisruptionBudget", PodDisruptionBudget.class,
            "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);
    static final Set<String> NOT_MANIFESTS = Set.of("kustomization.yaml", "odin-config.yaml", "values.yaml");

    static final List<HasMetadata> objects = new ArrayList<>();
    static final Map<HasMetadata, Map<String, Object>> raw = new LinkedHashMap<>();

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws IOException {
        regenerateRulesIfAsked();
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                if (NOT_MANIFESTS.contains(f.getFileName().toString())) {
                    continue;
                }
                for (Object doc : new Yaml().loadAll(Files.readString(f))) {
                    Map<String, Object> m = (Map<String, Object>) doc;
                    String kind = (String) m.get("kind");
                    Class<? extends HasMetadata> type = KINDS.get(kind);
                    HasMetadata o = type != null ? JSON.convertValue(m, type)
                            : JSON.convertValue(m, GenericKubernetesResource.class);
                    assertThat(o.getMetadata().getName()).as(f + " " + kind).isNotBlank();
                    if (type != null) {
                        // fabric8 keeps fields it does not know aside: a misspelt field lands there
                        assertThat(unknownFields(o, kind)).as(f + " " + kind + ": fields Kubernetes does not know")
                                .isEmpty();
                    }
                    objects.add(o);
                    raw.put(o, m);
                }
            }
        }
    }

    /** Paths of the fields fabric8 could not place, found by walking the typed object. */
    static List<String> unknownFields(Object o, String path) {
        List<String> out = new ArrayList<>();
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum<?>) {
            return out;
        }
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                out.addAll(unknownFields(list.get(i), path + "[" + i + "]"));
            }
            return out;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> out.addAll(unknownFields(v, path + "." + k)));
            return out;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return out;
        }
        for (java.lang.reflect.Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getName().equals("getClass")) {
                continue;
            }
            try {
                Object v = m.invoke(o);
                if (m.getName().equals("getAdditionalProperties")) {
                    ((Map<?, ?>) v).keySet().forEach(k -> out.add(path + "." + k));
                } else {
                    out.addAll(unknownFields(v, path + "." + m.getName().substring(3)));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    static <T> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static List<PodTemplateSpec> templates() {
        List<PodTemplateSpec> t = new ArrayList<>();
        all(Deployment.class).forEach(d -> t.add(d.getSpec().getTemplate()));
        all(DaemonSet.class).forEach(d -> t.add(d.getSpec().getTemplate()));
        return t;
    }

    @Test
    void servicesSelectPodsAndReachTheirPorts() {
        assertThat(all(Service.class)).hasSizeGreaterThanOrEqualTo(3);
        for (Service s : all(Service.class)) {
            Map<String, String> selector = s.getSpec().getSelector();
            List<PodTemplateSpec> matched = templates().stream()
                    .filter(t -> t.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
            assertThat(matched).as("pods selected by Service " + s.getMetadata().getName()).isNotEmpty();
            for (ServicePort port : s.getSpec().getPorts()) {
                for (PodTemplateSpec t : matched) {
                    List<ContainerPort> ports = t.getSpec().getContainers().stream()
                            .flatMap(c -> c.getPorts().stream()).toList();
                    Object target = port.getTargetPort().getStrVal() != null ? port.getTargetPort().getStrVal()
                            : port.getTargetPort().getIntVal();
                    assertThat(ports).as("Service " + s.getMetadata().getName() + " port " + target)
                            .anyMatch(p -> target.equals(p.getName()) || target.equals(p.getContainerPort()));
                }
            }
        }
        Service otlp = all(Service.class).stream().filter(s -> s.getMetadata().getName().equals("odin-otlp"))
                .findFirst().orElseThrow();
        assertThat(otlp.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(otlp.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(4317, 4318);
    }

    @Test
    @SuppressWarnings("unchecked")
    void containerPortsAreOdinsPorts() throws IOException {
        Map<String, Object> app = new Yaml().load(Files.readString(Path.of("src/main/resources/application.yaml")));
        int http = (Integer) ((Map<String, Object>) app.get("server")).get("port");
        int management = (Integer) ((Map<String, Object>) ((Map<String, Object>) app.get("management")).get("server"))
                .get("port");
        int grpc = new dev.odin.config.OdinProperties().getOtlp().getGrpc().getPort();
        for (PodTemplateSpec t : templates()) {
            for (Container c : t.getSpec().getContainers()) {
                for (ContainerPort p : c.getPorts()) {
                    int expected = switch (p.getName()) {
                        case "otlp-grpc" -> grpc;
                        case "otlp-http" -> http;
                        case "metrics" -> management;
                        default -> throw new AssertionError("unknown port " + p.getName());
                    };
                    assertThat(p.getContainerPort()).as(c.getName() + " " + p.getName()).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void everyContainerHasProbesResourcesAndAHardenedSecurityContext() {
        assertThat(templates()).hasSize(2);
        for (HasMetadata w : objects) {
            PodSpec spec = w instanceof Deployment d ? d.getSpec().getTemplate().getSpec()
                    : w instanceof DaemonSet ds ? ds.getSpec().getTemplate().getSpec() : null;
            if (spec == null) {
                continue;
            }
            String name = w.getMetadata().getName();
            assertThat(spec.getSecurityContext().getSeccompProfile().getType()).as(name).isEqualTo("RuntimeDefault");
            boolean root = !Boolean.TRUE.equals(spec.getSecurityContext().getRunAsNonRoot());
            if (root) {
                assertThat(w.getMetadata().getAnnotations()).as(name + " runs as root: say why")
                        .containsKey("odin.dev/why-root");
            }
            for (Container c : spec.getContainers()) {
                String where = name + "/" + c.getName();
                assertProbe(c.getLivenessProbe(), "/healthz", where);
                assertProbe(c.getReadinessProbe(), "/ready", where);
                assertProbe(c.getStartupProbe(), "/healthz", where);
                assertThat(c.getResources().getRequests()).as(where).containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as(where).containsKeys("cpu", "memory");
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(where).isTrue();
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(where).isFalse();
                assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(where).containsExactly("ALL");
                assertThat(c.getVolumeMounts()).as(where + ": a writable /tmp beside the read-only root")
                        .anyMatch(v -> v.getMountPath().equals("/tmp"));
            }
        }
    }

    private static void assertProbe(Probe p, String path, String where) {
        assertThat(p).as(where + " probe " + path).isNotNull();
        assertThat(p.getHttpGet().getPath()).as(where).isEqualTo(path);
        assertThat(p.getHttpGet().getPort().getStrVal()).as(where).isEqualTo("metrics");
    }

    @Test
    void theProbeDaemonSetSeesTheHostReadOnly() {
        DaemonSet ds = all(DaemonSet.class).get(0);
        PodSpec spec = ds.getSpec().getTemplate().getSpec();
        assertThat(spec.getHostPID()).isTrue();
        Container c = spec.getContainers().get(0);
        for (String mount : new String[] {"/host/proc", "/host/sys", "/host/root"}) {
            assertThat(c.getVolumeMounts()).anyMatch(v -> v.getMountPath().equals(mount) && v.getReadOnly());
        }
        Map<String, String> env = new LinkedHashMap<>();
        c.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        assertThat(env).containsEntry("ODIN_PROBES_PROCROOT", "/host/proc").containsEntry("ODIN_PROBES_SYSROOT",
                "/host/sys").containsEntry("ODIN_PROBES_ROOTFS", "/host/root");
    }

    @Test
    @SuppressWarnings("unchecked")
    void kustomizationsNameFilesAndPatchPathsThatExist() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path k : files.filter(p -> p.getFileName().toString().equals("kustomization.yaml")).toList()) {
                Map<String, Object> doc = new Yaml().load(Files.readString(k));
                Path dir = k.getParent();
                for (String r : (List<String>) doc.getOrDefault("resources", List.of())) {
                    Path p = dir.resolve(r).normalize();
                    assertThat(Files.isRegularFile(p) || Files.isRegularFile(p.resolve("kustomization.yaml")))
                            .as(k + " resource " + r).isTrue();
                }
                for (Map<String, Object> g : (List<Map<String, Object>>) doc.getOrDefault("configMapGenerator",
                        List.of())) {
                    for (String f : (List<String>) g.get("files")) {
                        String file = f.contains("=") ? f.substring(f.indexOf('=') + 1) : f;
                        assertThat(dir.resolve(file).normalize()).as(k + " generator file " + f).isRegularFile();
                    }
                }
                for (Map<String, Object> patch : (List<Map<String, Object>>) doc.getOrDefault("patches", List.of())) {
                    Map<String, String> target = (Map<String, String>) patch.get("target");
                    HasMetadata o = objects.stream().filter(x -> x.getKind().equals(target.get("kind"))
                            && x.getMetadata().getName().equals(target.get("name"))).findFirst()
                            .orElseThrow(() -> new AssertionError(k + " patches a missing " + target));
                    JsonNode tree = JSON.valueToTree(raw.get(o));
                    for (Map<String, Object> op : (List<Map<String, Object>>) new Yaml().load((String) patch.get("patch"))) {
                        if ("replace".equals(op.get("op")) || "remove".equals(op.get("op"))) {
                            assertThat(tree.at((String) op.get("path")).isMissingNode()).as(k + " " + op.get("path"))
                                    .isFalse();
                        }
                    }
                }
            }
        }
        // the routes the cluster runs are the routes ODIN ships
        Map<String, Object> base = new Yaml().load(Files.readString(K8S.resolve("base/kustomization.yaml")));
        List<String> routes = ((List<Map<String, Object>>) base.get("configMapGenerator")).get(0).get("files") instanceof List<?> l
                ? (List<String>) l : List.of();
        try (Stream<Path> shipped = Files.list(Path.of("routes"))) {
            assertThat(routes.stream().map(r -> Path.of(r).getFileName().toString()).sorted().toList())
                    .isEqualTo(shipped.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDashboardsAreConfigMapsGrafanaPicksUp() throws IOException {
        Map<String, Object> base = new Yaml().load(Files.readString(K8S.resolve("base/kustomization.yaml")));
        Map<String, Object> gen = ((List<Map<String, Object>>) base.get("configMapGenerator")).stream()
                .filter(g -> g.get("name").equals("odin-dashboards")).findFirst().orElseThrow();
        Map<String, Object> options = (Map<String, Object>) gen.get("options");
        assertThat((Map<String, String>) options.get("labels")).containsEntry("grafana_dashboard", "1");
        try (Stream<Path> shipped = Files.list(Path.of("grafana", "dashboards"))) {
            assertThat(((List<String>) gen.get("files")).stream().map(f -> Path.of(f).getFileName().toString()).sorted()
                    .toList()).isEqualTo(shipped.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void theScaledOverlayHasADisruptionBudgetAndAnAutoscaler() {
        PodDisruptionBudget pdb = all(PodDisruptionBudget.class).get(0);
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(templates().get(0).getMetadata().getLabels().entrySet())
                .containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet());
        HorizontalPodAutoscaler hpa = all(HorizontalPodAutoscaler.class).get(0);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("odin");
        assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);
        assertThat(all(NetworkPolicy.class)).hasSize(2);
    }

    /**
     * The homelab overlay rendered here (its JSON patches applied to the base, as kustomize does;
     * kubectl need not be installed): the Collector compatibility mode on, its ports where the
     * seed's Collector had them (the LoadBalancer VIP, the ServiceMonitor, readiness on :13133/),
     * and the ports the same as ODIN's defaults.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theHomelabOverlayAnswersWhereTheCollectorDid() throws IOException {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(K8S.resolve("overlays/homelab/kustomization.yaml")));
        Map<String, JsonNode> rendered = new LinkedHashMap<>();
        raw.forEach((o, m) -> rendered.put(o.getKind() + "/" + o.getMetadata().getName(), JSON.valueToTree(m)));
        for (Map<String, Object> patch : (List<Map<String, Object>>) kustomization.get("patches")) {
            Map<String, String> target = (Map<String, String>) patch.get("target");
            JsonNode doc = rendered.get(target.get("kind") + "/" + target.get("name"));
            assertThat(doc).as("patch target " + target).isNotNull();
            for (Map<String, Object> op : (List<Map<String, Object>>) new Yaml().load((String) patch.get("patch"))) {
                applyPatch(doc, (String) op.get("op"), (String) op.get("path"), JSON.valueToTree(op.get("value")));
            }
        }
        dev.odin.compat.CollectorCompatProperties defaults = new dev.odin.compat.CollectorCompatProperties();
        assertThat(defaults.isEnabled()).as("off unless an overlay turns it on").isFalse();
        Deployment gateway = JSON.convertValue(rendered.get("Deployment/odin"), Deployment.class);
        Container c = gateway.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("ODIN_COLLECTORCOMPAT_ENABLED") && e.getValue().equals("true"));
        Map<String, Integer> ports = new LinkedHashMap<>();
        c.getPorts().forEach(p -> ports.put(p.getName(), p.getContainerPort()));
        assertThat(ports).containsEntry("prom-compat", defaults.getMetricsPort()).containsEntry("health-check",
                defaults.getHealthPort()).containsEntry("prom-compat", 8889).containsEntry("health-check", 13133);
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/");
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("health-check");
        assertProbe(c.getLivenessProbe(), "/healthz", "homelab gateway");
        assertProbe(c.getStartupProbe(), "/healthz", "homelab gateway");
        Service vip = JSON.convertValue(rendered.get("Service/odin-otlp"), Service.class);
        assertThat(vip.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(4317, 4318, 8889, 13133);
        for (ServicePort p : vip.getSpec().getPorts()) {
            assertThat(ports).as("VIP port " + p.getName()).containsKey(p.getTargetPort().getStrVal());
        }
        Service inCluster = JSON.convertValue(rendered.get("Service/odin"), Service.class);
        assertThat(inCluster.getSpec().getPorts()).extracting(ServicePort::getName).contains("prom-compat");
        JsonNode monitor = rendered.get("ServiceMonitor/odin").at("/spec/endpoints/0");
        assertThat(monitor.get("port").asText()).isEqualTo("prom-compat");
        assertThat(monitor.get("path").asText()).isEqualTo("/metrics");
        NetworkPolicy policy = JSON.convertValue(rendered.get("NetworkPolicy/odin-gateway"), NetworkPolicy.class);
        assertThat(policy.getSpec().getIngress().get(0).getFrom()).as("open where the VIP is").isNullOrEmpty();
        assertThat(policy.getSpec().getIngress().get(0).getPorts()).extracting(p -> p.getPort().getIntVal())
                .contains(4317, 4318, 8889, 13133);
    }

    /** RFC 6902 add and replace, the operations the overlays use. */
    static void applyPatch(JsonNode doc, String op, String path, JsonNode value) {
        String[] tokens = path.substring(1).split("/");
        JsonNode parent = doc;
        for (int i = 0; i < tokens.length - 1; i++) {
            String t = unescape(tokens[i]);
            parent = parent.isArray() ? parent.get(Integer.parseInt(t)) : parent.get(t);
            assertThat(parent).as(path).isNotNull();
        }
        String last = unescape(tokens[tokens.length - 1]);
        if (parent instanceof com.fasterxml.jackson.databind.node.ArrayNode array) {
            if ("add".equals(op) && last.equals("-")) {
                array.add(value);
            } else if ("add".equals(op)) {
                array.insert(Integer.parseInt(last), value);
            } else {
                assertThat(op).isEqualTo("replace");
                array.set(Integer.parseInt(last), value);
            }
        } else {
            com.fasterxml.jackson.databind.node.ObjectNode object = (com.fasterxml.jackson.databind.node.ObjectNode) parent;
            assertThat(op).isIn("add", "replace");
            if (op.equals("replace")) {
                assertThat(object.has(last)).as("replace of a missing " + path).isTrue();
            }
            object.set(last, value);
        }
    }

    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePrometheusRuleIsAlertingRules() throws IOException {
        GenericKubernetesResource rule = all(GenericKubernetesResource.class).stream()
                .filter(r -> r.getKind().equals("PrometheusRule")).findFirst().orElseThrow();
        assertThat(rule.getAdditionalProperties().get("spec")).as("k8s/base/prometheusrule.yaml is stale:"
                + " ./mvnw test -Dtest=KubernetesManifestsTest -Dodin.regenerate=true").isEqualTo(ruleSpec());
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat(all(GenericKubernetesResource.class).stream().filter(r -> r.getKind().equals("ServiceMonitor")))
                .hasSize(2);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> ruleSpec() throws IOException {
        List<Object> groups = new ArrayList<>();
        for (Path f : AlertRulesTest.files(AlertRulesTest.RULES)) {
            groups.addAll((List<Object>) ((Map<String, Object>) new Yaml().load(Files.readString(f))).get("groups"));
        }
        return Map.of("groups", groups);
    }

    static void regenerateRulesIfAsked() throws IOException {
        if (!Boolean.getBoolean("odin.regenerate")) {
            return;
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", "monitoring.coreos.com/v1");
        doc.put("kind", "PrometheusRule");
        // the seed stack's PrometheusRule name: applied in its namespace, ODIN's rules replace the seed's
        // instead of firing beside them (docs/migrate-from-collector.md)
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", "claude-code-alerts");
        metadata.put("labels", Map.of("release", "kube-prometheus-stack"));
        doc.put("metadata", metadata);
        doc.put("spec", ruleSpec());
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setWidth(120);
        Files.writeString(K8S.resolve("base/prometheusrule.yaml"), "# Generated from alerting/rules/ by"
                + " KubernetesManifestsTest (-Dodin.regenerate=true); edit the rules there.\n" + new Yaml(o).dump(doc));
    }
}
