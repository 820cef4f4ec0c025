# sealant in a container: `docker build -t sealant .`, then
#   docker run --rm -v "$PWD:/src" sealant              # scans the mounted directory
#   docker run --rm -v "$PWD:/src" sealant scan --history /src
# Multi-stage: the Rust toolchain stays in the build stage; the final image holds the binary,
# git (for --history and --staged) and CA certificates, and runs as an unprivileged user.
# Checked by hadolint in tests/docs.rs.

FROM rust:1-slim-bookworm AS build
WORKDIR /build
COPY Cargo.toml Cargo.lock README.md LICENSE ./
COPY src ./src
COPY rules ./rules
RUN cargo install --locked --path . --root /out

FROM debian:bookworm-slim
# Distribution packages follow the release's security updates; pinning their versions would
# break the build at each update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*' \
    && useradd --create-home --uid 10001 sealant
COPY --from=build /out/bin/sealant /usr/local/bin/sealant
USER 10001
WORKDIR /src
ENTRYPOINT ["sealant"]
CMD ["scan", "/src"]
