# Finds a Java 21 or newer. Sourced, not run: by ./polysync in the repository, which builds and so
# needs a full JDK, and by bin/polysync in the distribution archive, which runs the server and
# needs a Java runtime only. Bash 3.2 or newer (macOS still ships 3.2: no associative arrays).
#
# Set before sourcing:
#   MIN_JAVA             the oldest feature release accepted (21)
#   JAVA_NEED_COMPILER   1: accept only a JDK with javac (the default); 0: any Java runtime
# Then call find_jdk; it sets
#   JDK_HOME             the Java home chosen, or empty when none fits
#   FOUND                every Java home looked at, with its version, for an error message
#
# Where it looks, in order: JAVA_HOME if it fits; the `java` on PATH if it fits; else the newest
# that fits in the usual install places, or in the directories of POLYSYNC_JAVA_PLACES
# (colon-separated) instead when that is set.

: "${JAVA_NEED_COMPILER:=1}"
if [[ "$JAVA_NEED_COMPILER" == 1 ]]; then JAVA_KIND=JDK; else JAVA_KIND="Java runtime"; fi

# Prints the full version (e.g. 25.0.3, 21, 17.0.15, 1.8.0_292) of the Java home $1, or nothing
# when it is not one (or, with JAVA_NEED_COMPILER=1, has no javac).
jdk_version() {
  local home="$1" version=""
  [[ -x "$home/bin/java" ]] || return 0
  [[ "$JAVA_NEED_COMPILER" != 1 || -x "$home/bin/javac" ]] || return 0
  if [[ -r "$home/release" ]]; then
    version="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n 1)"
  fi
  if [[ -z "$version" ]]; then
    version="$("$home/bin/java" -version 2>&1 | sed -n 's/^[^"]*version "\([^"]*\)".*/\1/p' | head -n 1 || true)"
  fi
  printf '%s' "$version"
}

# Feature release number of a version string: 25.0.3 -> 25, 21 -> 21, 25-ea -> 25, 1.8.0 -> 8.
java_major() {
  local v="$1" major
  major="${v%%[.+_-]*}"
  if [[ "$major" == 1 && "$v" == 1.* ]]; then
    major="${v#1.}"
    major="${major%%[.+_-]*}"
  fi
  [[ "$major" =~ ^[0-9]+$ ]] && printf '%s' "$major" || printf '0'
}

# The home of the `java` on PATH, or nothing.
path_java_home() {
  local java_bin home
  java_bin="$(command -v java 2>/dev/null)" || return 0
  home="$("$java_bin" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.home = //p' | head -n 1 || true)"
  if [[ -z "$home" ]]; then
    java_bin="$(readlink -f "$java_bin" 2>/dev/null || printf '%s' "$java_bin")"
    home="$(dirname "$(dirname "$java_bin")")"
  fi
  # Java 8 reports its jre/ subdirectory; the JDK is one level up.
  [[ "$(basename "$home")" == jre && -x "$(dirname "$home")/bin/javac" ]] && home="$(dirname "$home")"
  printf '%s' "$home"
}

FOUND=()      # every Java home looked at, for the error message
JDK_HOME=""   # set by find_jdk

is_recent() { (( $(java_major "$1") >= MIN_JAVA )); }

find_jdk() {
  local home version
  if [[ -n "${JAVA_HOME:-}" ]]; then
    version="$(jdk_version "$JAVA_HOME")"
    FOUND+=("JAVA_HOME=$JAVA_HOME (${version:-no $JAVA_KIND there})")
    if is_recent "$version"; then
      JDK_HOME="$JAVA_HOME"
      return 0
    fi
    printf 'polysync: JAVA_HOME (%s) is not a %s %s+; looking for another one\n' \
      "$JAVA_HOME" "$JAVA_KIND" "$MIN_JAVA" >&2
  fi

  home="$(path_java_home)"
  if [[ -n "$home" ]]; then
    version="$(jdk_version "$home")"
    FOUND+=("java on PATH: $home (${version:-not a $JAVA_KIND})")
    if is_recent "$version"; then
      JDK_HOME="$home"
      return 0
    fi
  fi

  local candidates=() recent=() real seen=$'\n' places=() place
  shopt -s nullglob
  if [[ -n "${POLYSYNC_JAVA_PLACES:-}" ]]; then
    IFS=: read -r -a places <<<"$POLYSYNC_JAVA_PLACES"
    for place in "${places[@]+"${places[@]}"}"; do
      [[ -n "$place" ]] && candidates+=("$place" "$place"/*)
    done
  else
    candidates+=(/usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk*)
    candidates+=("${HOME:-}"/.sdkman/candidates/java/* "${HOME:-}"/.jdks/*)
    candidates+=(/Library/Java/JavaVirtualMachines/*/Contents/Home)
    if [[ "$(uname -s)" == Darwin && -x /usr/libexec/java_home ]]; then
      home="$(/usr/libexec/java_home -v "$MIN_JAVA+" 2>/dev/null || true)"
      [[ -n "$home" ]] && candidates+=("$home")
    fi
  fi
  shopt -u nullglob

  for home in "${candidates[@]+"${candidates[@]}"}"; do
    [[ -d "$home" ]] || continue
    real="$(cd -P "$home" && pwd)"
    [[ "$seen" != *$'\n'"$real"$'\n'* ]] || continue
    seen+="$real"$'\n'
    version="$(jdk_version "$real")"
    [[ -n "$version" ]] || continue
    FOUND+=("$real ($version)")
    is_recent "$version" && recent+=("$version"$'\t'"$real")
  done
  if (( ${#recent[@]} > 0 )); then
    # The newest: sort by version, take the last.
    JDK_HOME="$(printf '%s\n' "${recent[@]}" | sort -V -k1,1 | tail -n 1 | cut -f 2-)"
  fi
  return 0
}
