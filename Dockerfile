# The connectsync image: one static binary (CGO_ENABLED=0) on distroless
# static (CA certificates and tzdata, no shell, no package manager), run as
# the unprivileged user "nonroot" (65532), with connectsync as the entrypoint.
#
# The release builds it with GoReleaser (.goreleaser.yaml, dockers_v2): the
# build context holds the prebuilt binaries at linux/amd64/connectsync and
# linux/arm64/connectsync, and buildx sets TARGETPLATFORM for each platform.
#
# Standalone, from a clone (the same layout, for this machine's arch):
#
#   make docker                 # = CGO_ENABLED=0 GOOS=linux go build -tags urfave_cli_no_docs -o build/docker/linux/ARCH/connectsync .
#                               #   docker build -f Dockerfile -t connectsync:dev build/docker
#   docker run --rm connectsync:dev version
#
# Use, with the files in the current directory (--user lets it write there:
# plan --out, export -o, --sandbox's .connectsync/):
#
#   docker run --rm -v "$PWD:/work" --user "$(id -u):$(id -g)" \
#     -e DOCUSIGN_INTEGRATION_KEY -e DOCUSIGN_USER_ID -e DOCUSIGN_PRIVATE_KEY \
#     ghcr.io/connectsync/connectsync:v1 plan -f connectsync/
FROM gcr.io/distroless/static-debian12:nonroot

ARG TARGETPLATFORM
COPY ${TARGETPLATFORM}/connectsync /usr/local/bin/connectsync

# Relative paths (-f, --out, .connectsync/) start here: mount the files here.
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/connectsync"]
CMD ["--help"]
