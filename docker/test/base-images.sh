#!/usr/bin/env bash
# Builds the stand-in base images the compose test needs, from Debian's packages, since these machines reach no
# container registry: a JRE 17 base for docker/Dockerfile (in place of eclipse-temurin:17-jre) and a PostgreSQL
# image with the official image's POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB (in place of postgres).
# Both come from one debootstrap root file system. Images that exist already are kept: building them takes a
# minute or two, and nothing in them depends on the code under test. FLEETJOBS_TEST_REBUILD_BASES=1 rebuilds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ROOTFS_IMAGE=localhost/fleetjobs-test-rootfs:bookworm
JRE_IMAGE=localhost/fleetjobs-test-jre:17
POSTGRES_IMAGE=localhost/fleetjobs-test-postgres:15

exists() {
  podman image exists "$1"
}

if [ "${FLEETJOBS_TEST_REBUILD_BASES:-0}" = 1 ]; then
  podman rmi -f "$POSTGRES_IMAGE" "$JRE_IMAGE" "$ROOTFS_IMAGE" >/dev/null 2>&1 || true
fi

if ! exists "$ROOTFS_IMAGE"; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "base-images: debootstrap bookworm with openjdk-17-jre-headless and postgresql-15 (a minute or two)"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates,postgresql-15 \
    bookworm "$work/rootfs" >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log"; exit 1; }
  # The package cache and lists are not needed at run time.
  rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*
  tar -C "$work/rootfs" -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$ROOTFS_IMAGE" >/dev/null
fi
if ! exists "$JRE_IMAGE"; then
  podman tag "$ROOTFS_IMAGE" "$JRE_IMAGE"
fi
if ! exists "$POSTGRES_IMAGE"; then
  podman build --quiet --format docker --build-arg BASE_IMAGE="$ROOTFS_IMAGE" -t "$POSTGRES_IMAGE" \
    -f "$here/postgres/Containerfile" "$here/postgres" >/dev/null
fi
echo "base-images: $JRE_IMAGE and $POSTGRES_IMAGE are ready"
