#!/usr/bin/env bash
# `make packages-test`: install the built packages from the signed repository into a
# clean Debian 12 root, as school IT would, and check them. Needs root (chroot, mounts).
#   1. a clean root: debootstrap (minbase) from deb.debian.org, kept as a pristine copy
#      in build/pkgtest/base and copied fresh for every run (KLASSE_PKGTEST_FRESH=1
#      bootstraps again);
#   2. the keyring and the signed-by sources line from build/repo, then
#      `apt-get install klasse klasse-server` (janus and the rest from Debian);
#   3. every bundled library resolves (ldd) and `klasse --version` answers;
#   4. a lesson: the installed `klasse join --headless` x2 against the installed
#      `klasse-server` in the private network namespace (pkgtest_lesson.py);
#   5. apt refuses a tampered package, an unsigned Release and one signed by another key;
#   6. purge leaves nothing that was not there before (compared with the root holding
#      just their Debian dependencies, installed first with apt-get satisfy);
# then the working root is removed. Prints the time of each phase.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
work=$top/build/pkgtest
base=$work/base
root=$work/root
repo=${KLASSE_REPO_DIR:-$top/build/repo}
mirror=${KLASSE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=${KLASSE_PKGTEST_PACKAGES:-klasse klasse-server}   # a subset skips the lesson
[ "$(id -u)" -eq 0 ] || { echo "packages-test: needs root (chroot, mounts)" >&2; exit 1; }
[ -f "$repo/klasse.list" ] || { echo "packages-test: no repository; run make packages" >&2; exit 1; }

t0=$(date +%s.%N)
phase() { awk -v t0="$t0" -v now="$(date +%s.%N)" -v msg="$*" 'BEGIN { printf "packages-test: [%5.1f s] %s\n", now - t0, msg }'; }
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"; }

mounted=()
cleanup() {
    for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
    if [ -z "${KLASSE_PKGTEST_KEEP:-}" ]; then rm -rf "$root" "$work/repo-bad"; fi
}
trap cleanup EXIT

if [ -n "${KLASSE_PKGTEST_FRESH:-}" ] || [ ! -x "$base/usr/bin/apt-get" ]; then
    rm -rf "$base"
    nice -n 10 debootstrap --variant=minbase bookworm "$base" "$mirror" > "$work/debootstrap.log"
    phase "debootstrap: clean Debian 12 root from $mirror"
fi
rm -rf "$root"
cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Packages must not start services in a chroot (there is no systemd running here).
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
for m in proc dev dev/pts sys; do
    case $m in proc) mount -t proc proc "$root/proc" ;; *) mount --bind "/$m" "$root/$m" ;; esac
    mounted+=("$root/$m")
done
# Downloaded Debian packages are kept between runs (build/pkgtest/apt-archives).
mkdir -p "$work/apt-archives/partial"
mount --bind "$work/apt-archives" "$root/var/cache/apt/archives"
mounted+=("$root/var/cache/apt/archives")
mkdir -p "$root/srv/klasse-repo"
mount --bind -o ro "$repo" "$root/srv/klasse-repo"
mounted+=("$root/srv/klasse-repo")
phase "fresh copy of the clean root"

snapshot() {   # every path outside the package managers' own books and caches
    (cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run \
        -o -path ./tmp -o -path ./var/cache -o -path ./var/lib/apt -o -path ./var/lib/dpkg \
        -o -path ./var/log -o -path ./srv/klasse-repo \) -prune -o -print | sort)
}

# What IT copies to every machine (docs/deploy.md), with the repository at a file:// URL.
cp "$repo/klasse-archive-keyring.gpg" "$root/usr/share/keyrings/"
sed "s#\] [^ ]* bookworm#] file:///srv/klasse-repo bookworm#" "$repo/klasse.list" \
    > "$root/etc/apt/sources.list.d/klasse.list"
in_root apt-get -qq update
phase "keyring + signed-by sources line added, apt-get update"
# The packages' Debian dependencies first (janus, python3, the xcb libraries, ...), so
# that the snapshot below tells exactly what klasse and klasse-server themselves add.
deps=$(for p in $packages; do in_root apt-cache show "$p" | sed -n 's/^Depends: //p' | head -1
    done | paste -sd, -)
in_root apt-get -y -q satisfy --no-install-recommends "$deps" > "$work/deps.log"
snapshot > "$work/before.txt"

in_root apt-get -y -q install --no-install-recommends $packages > "$work/install.log"
phase "apt-get install $packages: $(grep -c '^Setting up' "$work/install.log" || true) packages set up"

missing=$(in_root sh -c 'find /opt/klasse* -name "*.so*" -type f \
    -exec ldd {} + 2>/dev/null | grep "not found" | sort -u' || true)
if [ -n "$missing" ]; then echo "packages-test: unresolved libraries:"; echo "$missing"; exit 1; fi
case " $packages " in *" klasse "*)
    in_root klasse --version
    in_root klasse --help > /dev/null
    test -f "$root/usr/share/applications/klasse.desktop"
    test -f "$root/opt/klasse/share/models/selfie_segmentation.tflite"
    phase "client: all bundled libraries resolve, --version answers, link handler and models in place" ;;
esac
case " $packages " in *" klasse-server "*)
    in_root klasse-server --help > /dev/null
    in_root sh -c 'test -z "$(ls /opt/klasse-server/lib/python3.11/site-packages | grep -iE "^(pyside6|cv2|numpy|aiortc)")"'
    in_root getent passwd klasse > /dev/null
    [ "$(in_root stat -c %U:%a /var/lib/klasse)" = klasse:700 ]
    test -L "$root/etc/systemd/system/multi-user.target.wants/klasse-server.service"
    phase "server: libraries resolve; user klasse, /var/lib/klasse 0700, unit enabled; no Qt/OpenCV/aiortc" ;;
esac

if [ "$packages" = "klasse klasse-server" ]; then
    cp packaging/linux/pkgtest_lesson.py "$root/tmp/pkgtest_lesson.py"
    KLASSE_NETNS_REAL_IDS=1 scripts/netns-run chroot "$root" env -i \
        PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 python3 /tmp/pkgtest_lesson.py
    # The configuration is IT's own file, not the package's: IT removes it.
    rm -rf "$root/etc/klasse" "$root/tmp/pkgtest_lesson.py"
    phase "lesson between the installed client and server passed"
fi

# Tampering: each broken copy of the repository must be refused by apt.
bad=$work/repo-bad
refused() {   # $1: what; rest: command in the root; succeeds only if the command fails
    local what=$1; shift
    if in_root "$@" > "$work/refusal.log" 2>&1; then
        echo "packages-test: apt ACCEPTED $what"; cat "$work/refusal.log"; exit 1
    fi
    echo "packages-test: refused $what: $(grep -m1 -E '^(E|W|Err):' "$work/refusal.log" || tail -1 "$work/refusal.log")"
}
use_repo() {  # point the machine's sources line at a copy of the repository
    umount -l "$root/srv/klasse-repo"
    mount --bind -o ro "$1" "$root/srv/klasse-repo"
    rm -rf "$root/var/lib/apt/lists/"*klasse-repo*
}
rm -rf "$bad"; cp -a "$repo" "$bad"
deb=$(ls "$bad"/pool/main/k/klasse-server/*.deb)
size=$(stat -c %s "$deb")
printf '\x00' | dd of="$deb" bs=1 seek=$((size / 2)) conv=notrunc status=none
use_repo "$bad"
in_root apt-get -qq update
rm -f "$root"/var/cache/apt/archives/klasse*.deb     # no copy of the good package
refused "a package with one byte changed" apt-get -y -qq install --reinstall klasse-server

rm -rf "$bad"; cp -a "$repo" "$bad"; rm -f "$bad"/dists/bookworm/{InRelease,Release.gpg}
use_repo "$bad"
refused "an unsigned Release" apt-get -qq update

rm -rf "$bad"; cp -a "$repo" "$bad"
other=$(mktemp -d); chmod 700 "$other"
GNUPGHOME=$other gpg --batch --quiet --passphrase '' --quick-gen-key "Not the school <x@klasse.invalid>" ed25519 sign 1d
rm -f "$bad"/dists/bookworm/{InRelease,Release.gpg}
GNUPGHOME=$other gpg --batch --quiet --clearsign -o "$bad/dists/bookworm/InRelease" "$bad/dists/bookworm/Release"
rm -rf "$other"
use_repo "$bad"
refused "a Release signed by another key" apt-get -qq update
use_repo "$repo"
in_root apt-get -qq update
phase "tampered package, unsigned Release, foreign signature: all refused"

in_root apt-get -y -qq purge $packages > /dev/null
snapshot > "$work/after.txt"
left=$(comm -13 "$work/before.txt" "$work/after.txt")
gone=$(comm -23 "$work/before.txt" "$work/after.txt")
if [ -n "$left" ] || in_root getent passwd klasse > /dev/null; then
    echo "packages-test: purge left behind:"; echo "$left"
    in_root getent passwd klasse || true
    exit 1
fi
# dpkg removes a directory no installed package claims once it is empty: /opt, which
# debootstrap makes but no Debian package ships, goes with the last package using it.
gone=$(printf '%s\n' "$gone" | grep -vx '\./opt' || true)
[ -z "$gone" ] || { echo "packages-test: purge removed what was there before:"; echo "$gone"; exit 1; }
phase "purge: every path is as it was before klasse and klasse-server were installed"
echo "packages-test: PASS"
