#!/usr/bin/env bash
# Makes the base image the OCI image is built on, as a docker-archive tarball that Jib takes as
# `tar://` (Jib's default base image comes from a registry; this needs no network and no
# container engine):
#
#   /opt/java             a jlink runtime of the JDK running the build, with the modules below
#   /lib*, /usr/lib*      the C libraries that runtime needs, copied from this machine (ldd)
#   /etc/passwd, group    root and the unprivileged user polysync (UID and GID below)
#   /tmp                  1777: sqlite-jdbc unpacks its native library there
#   /data                 owned by polysync, so a fresh volume mounted there is writable
#
# Linux only: the runtime and the libraries are this machine's, so the image's platform is this
# machine's (linux/amd64 or linux/arm64).
#
# Usage: base-image.sh JDK_HOME MODULES UID WORK_DIR OUTPUT_TAR
set -euo pipefail

jdk="$1" modules="$2" uid="$3" work="$4" out="$5"

die() { printf 'base-image.sh: %s\n' "$*" >&2; exit 1; }
[[ "$(uname -s)" == Linux ]] || die "the image is built on Linux only (this is $(uname -s))"
[[ -x "$jdk/bin/jlink" ]] || die "no jlink in $jdk: the build must run on a full JDK"
for tool in ldd tar sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is needed to build the image"
done

case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "unsupported machine $(uname -m)" ;;
esac

# The same JDK, modules, user and script as last time: the tarball is still good (jlink is the
# slow part of the build).
stamp="$(printf '%s\n' "$("$jdk/bin/java" -version 2>&1)" "$modules" "$uid" "$arch" \
  | cat - "${BASH_SOURCE[0]}" | sha256sum | cut -d ' ' -f 1)"
if [[ -s "$out" && "$(cat "$work/inputs.sha256" 2>/dev/null)" == "$stamp" ]]; then
  printf 'base image: %s is up to date\n' "$out"
  exit 0
fi

rm -rf "$work"
root="$work/root"
mkdir -p "$root"

# --- the Java runtime ---
"$jdk/bin/jlink" --add-modules "$modules" --output "$root/opt/java" \
  --strip-debug --no-man-pages --no-header-files --compress=zip-6

# --- the C libraries every ELF file of the runtime links against, and the dynamic loader ---
# Each is copied to the path the loader finds it at here, symbolic links resolved. The parts of
# java.desktop that need X11 or ALSA (window toolkit, splash screen, sound) are not looked at: the
# server runs headless and never loads them, and the image must not depend on whether this machine
# happens to have those libraries.
copy_lib() {
  local path="$1"
  [[ "$path" == /* && -e "$path" ]] || return 0
  [[ "$path" == "$root"/* ]] && return 0
  if [[ ! -e "$root$path" ]]; then
    mkdir -p "$root$(dirname "$path")"
    cp -L "$path" "$root$path"
  fi
}
while IFS= read -r -d '' elf; do
  [[ "$(head -c 4 "$elf" | od -An -c | tr -d ' ')" == 177ELF ]] || continue
  case "${elf##*/}" in libawt_xawt.so | libjawt.so | libsplashscreen.so | libjsound.so) continue ;; esac
  while read -r first second third _; do
    if [[ "$second" == "=>" ]]; then
      copy_lib "$third"
    else
      copy_lib "$first"     # the loader: "/lib64/ld-linux-x86-64.so.2 (0x...)"
    fi
  done < <(ldd "$elf" 2>/dev/null || true)
done < <(find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0)
# glibc loads libgcc_s at run time (thread cancellation, unwinding); sqlite-jdbc's library needs
# libm and libdl. Take them where the C library is.
libc_dir="$(ldd "$root/opt/java/bin/java" | awk '$1 == "libc.so.6" { print $3 }' | xargs dirname)"
for lib in libgcc_s.so.1 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libz.so.1; do
  copy_lib "$libc_dir/$lib"
done

# --- users, name service, writable directories ---
mkdir -p "$root/etc" "$root/tmp" "$root/data"
printf 'root:x:0:0:root:/root:/sbin/nologin\npolysync:x:%s:%s:Polysync:/data:/sbin/nologin\n' \
  "$uid" "$uid" >"$root/etc/passwd"
printf 'root:x:0:\npolysync:x:%s:\n' "$uid" >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
chmod 1777 "$root/tmp"
chmod 0750 "$root/data"

# --- the layer: sorted, fixed times and owners, so the same inputs give the same bytes ---
layer="$work/layer.tar"
common=(--sort=name --mtime=@0 --numeric-owner --format=gnu)
tar -C "$root" "${common[@]}" --owner=0 --group=0 --exclude=./data -cf "$layer" .
tar -C "$root" "${common[@]}" --owner="$uid" --group="$uid" -rf "$layer" ./data
diff_id="sha256:$(sha256sum "$layer" | cut -d ' ' -f 1)"
java_version="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$root/opt/java/release")"

cat >"$work/config.json" <<JSON
{"architecture":"$arch","os":"linux",
 "config":{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"jlink --add-modules $modules (Java $java_version)"}]}
JSON
cat >"$work/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["polysync-base:$java_version"],"Layers":["layer.tar"]}]
JSON
mkdir -p "$(dirname "$out")"
tar -C "$work" "${common[@]}" --owner=0 --group=0 -cf "$out" manifest.json config.json layer.tar
printf '%s\n' "$stamp" >"$work/inputs.sha256"
printf 'base image: %s (Java %s, %s, %s MiB uncompressed)\n' "$out" "$java_version" "$arch" \
  "$(( $(stat -c %s "$layer") / 1048576 ))"
