# syntax=docker/dockerfile:1
# ODIN's image, ghcr.io/odin-observability/odin:<version> (k8s/ pulls it; docs/deploy.md, "The
# image", says how to build and push it). ImageManifestsTest checks that this file and k8s/ agree
# (name, ports, user, paths, probes, JVM settings) and ImageRuntimeTest runs its runtime commands as
# UID 10001 with a read-only application directory.
#
#   docker build -t ghcr.io/odin-observability/odin:0.1.0 .
#   docker run --read-only --tmpfs /tmp:exec,size=64m -v odin-data:/data \
#     -e ODIN_AUTH_TOKENSFILE=/etc/odin/tokens -v "$PWD/tokens:/etc/odin/tokens:ro" \
#     -p 4317:4317 -p 4318:4318 -p 8080:8080 ghcr.io/odin-observability/odin:0.1.0

ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:17-jre

# ---- build: the Maven wrapper, as on a laptop (./mvnw package; the tests run in CI, not here)
FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/ src/
COPY routes/ routes/
# the local repository as a build cache: a rebuild downloads nothing again
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -DskipTests package \
 && cp "$(ls target/odin-*.jar | grep -v -- '-plain\.jar$' | head -1)" /odin.jar
# the jar extracted into Spring Boot's layers (dependencies change less often than ODIN's code,
# so a new version pulls only the last layer) and a plain java -jar layout that class data sharing
# can map (an archive needs the classes in jars on the class path, not nested in one)
RUN java -Djarmode=tools -jar /odin.jar extract --layers --destination /extracted

# ---- runtime: a JRE, no shell needed at run time, nothing written outside /data and /tmp
FROM ${JRE_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="ODIN" \
      org.opencontainers.image.description="Observability gateway for Claude Code: OTLP in, Prometheus series, Loki streams, usage from transcripts" \
      org.opencontainers.image.source="https://github.com/odin-observability/odin" \
      org.opencontainers.image.url="https://github.com/odin-observability/odin" \
      org.opencontainers.image.documentation="https://github.com/odin-observability/odin/blob/main/docs/deploy.md" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.vendor="ODIN" \
      org.opencontainers.image.base.name="eclipse-temurin:17-jre"

# UID/GID 10001, the k8s manifests' runAsUser/runAsGroup/fsGroup; its home is the data volume
RUN groupadd --gid 10001 odin \
 && useradd --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin odin \
 && mkdir -p /data && chown 10001:10001 /data && chmod 0700 /data

WORKDIR /opt/odin
COPY --from=build /extracted/dependencies/ /opt/odin/app/
COPY --from=build /extracted/spring-boot-loader/ /opt/odin/app/
COPY --from=build /extracted/snapshot-dependencies/ /opt/odin/app/
COPY --from=build /extracted/application/ /opt/odin/app/
# bin/jvm.options, the one list of JVM settings (k8s mounts the same file at /etc/odin/jvm.options
# and names it in its own JDK_JAVA_OPTIONS, which replaces this one: a gateway adds its collector)
COPY bin/jvm.options /opt/odin/jvm.options
ENV JDK_JAVA_OPTIONS="@/opt/odin/jvm.options" \
    MALLOC_ARENA_MAX=2

# class data sharing, as bin/odin does on a first start, but once, here: the image is one jar and
# one JVM, so its archive is made at build time and every container maps it (a third less CPU to
# /ready); it is read-only at run time, so the read-only root costs nothing. The training start
# binds no port and stops once the Spring context is refreshed. An archive the JVM cannot use
# (other JVM options) is ignored with a warning, never a failed start.
RUN java -XX:ArchiveClassesAtExit=/opt/odin/odin.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
      -Dspring.context.exit=onRefresh -jar /opt/odin/app/odin.jar --server.port=0 --management.server.port=0 \
      --odin.otlp.grpc.port=0 --odin.data-dir=/tmp/odin-cds-training --odin.claude.transcripts-enabled=false \
      --logging.level.root=WARN \
 && rm -rf /tmp/odin-cds-training /tmp/hsperfdata_root /tmp/tomcat* \
 && test -s /opt/odin/odin.jsa

# every write goes to the data volume (queues, usage history, the privacy hash key, alert state)
# or to /tmp (Tomcat's work directories, the snappy native library: mount it exec)
# Claude Code's transcripts, when the host's ~/.claude/projects is mounted here (read-only);
# absent, nothing is read. Named here rather than under ${user.home}: a container run with
# another UID (docker run --user, OpenShift) has no passwd entry and the JVM's user.home is "?"
ENV ODIN_DATADIR=/data \
    ODIN_BINDADDRESS=0.0.0.0 \
    ODIN_CLAUDE_TRANSCRIPTSDIR=/claude/projects
VOLUME ["/data"]
# OTLP/gRPC, OTLP/HTTP (and Alertmanager's webhook), the management port (/metrics, /healthz, /ready)
EXPOSE 4317 4318 8080
USER 10001:10001
# No HEALTHCHECK: Kubernetes ignores it (k8s/ has startup, liveness and readiness probes on
# /healthz and /ready), the OCI image format podman builds by default has no such field, and a
# check run every few seconds would need an HTTP client this image does not promise (a second
# JVM to ask would cost more than ODIN idles at); `docker run --health-cmd` adds one where wanted.
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/opt/odin/odin.jsa", "-jar", "/opt/odin/app/odin.jar"]
