# The upstream recipe, for the side-by-side benchmark (hack/bench): the steps and package list of
# fit-framework's docker/base-images/debian/Dockerfile (3.6.x), written here. Differences, on purpose:
# - no rewrite of the apt sources to a fixed mirror (the test bed reaches deb.debian.org only);
# - the entrypoint and healthcheck are this repo's scripts (the image's function is the same);
# - mkdir /usr/share/man/man1 first: on debian:12-slim (man pages excluded by its dpkg config) the
#   JDK's postinst fails without it ("error creating symbolic link '/usr/share/man/man1/java.1.gz…'");
# - BENCH_NONCE (not upstream) lets the benchmark ask for a cold build: a build argument in scope
#   is part of every RUN's cache key, exactly as upstream's FIT_VERSION is.
ARG FIT_VERSION=3.6.0
FROM debian:12-slim
ARG FIT_VERSION=3.6.0
ARG BENCH_NONCE=

LABEL maintainer="FIT Framework Team"
LABEL description="FIT Framework Base Image - Debian 12 (upstream recipe)"
LABEL org.opencontainers.image.source="https://github.com/ModelEngine-Group/fit-framework"
LABEL org.opencontainers.image.version="${FIT_VERSION}"
LABEL org.opencontainers.image.title="FIT Framework (Debian)"

ENV DEBIAN_FRONTEND=noninteractive
ENV TZ=Asia/Shanghai
ENV FIT_VERSION=${FIT_VERSION}
ENV FIT_HOME=/opt/fit-framework
ENV FIT_JAVA_DIR=${FIT_HOME}/java
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
ENV PATH=${FIT_JAVA_DIR}/bin:${JAVA_HOME}/bin:${PATH}
ENV JAVA_OPTS="-Xms256m -Xmx1024m -Djava.awt.headless=true"

# the full JDK and the tools, recommends off, lists removed (the .bin caches and docs stay)
RUN mkdir -p /usr/share/man/man1 && apt-get update && \
    apt-get install -y --no-install-recommends openjdk-17-jdk curl wget unzip procps netcat-openbsd \
      ca-certificates tzdata nodejs npm && \
    ln -sf /usr/share/zoneinfo/Asia/Shanghai /etc/localtime && \
    rm -rf /var/lib/apt/lists/*

RUN groupadd -r -g 2000 fit && \
    useradd -r -u 2000 -g fit -d ${FIT_HOME} -s /bin/bash -c "FIT Framework" fit

# as upstream: /bin/sh does not expand the braces (one oddly named folder); the chown is a layer
RUN mkdir -p ${FIT_HOME} ${FIT_JAVA_DIR}/{bin,conf,lib,plugins,logs,data,dynamic-plugins} && \
    chown -R fit:fit ${FIT_HOME}

# the zip is a layer of its own, then unpacked and chowned in the next one
COPY ${FIT_VERSION}.zip /tmp/
RUN cd /tmp && \
    unzip -q "${FIT_VERSION}.zip" && \
    cp -r ${FIT_VERSION}/* ${FIT_JAVA_DIR}/ && \
    rm -rf "${FIT_VERSION}.zip" ${FIT_VERSION} && \
    chown -R fit:fit ${FIT_JAVA_DIR} && \
    chmod +x ${FIT_JAVA_DIR}/bin/*

COPY --chmod=644 common.sh /usr/local/lib/fit-images/common.sh
COPY --chmod=755 fit-entrypoint fit-healthcheck /usr/local/bin/

USER fit
WORKDIR ${FIT_JAVA_DIR}/dynamic-plugins
EXPOSE 8080 8090
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD fit-healthcheck
ENTRYPOINT ["fit-entrypoint"]
CMD ["fit", "start"]
