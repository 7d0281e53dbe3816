#!/usr/bin/env bash
# Publish build/debs/*.deb into a signed apt repository (reprepro) and write what IT
# copies to every machine: the public keyring and a `signed-by=` sources line.
#
#   packaging/linux/make_repo.sh [REPO_DIR]          (default: build/repo)
#
# Signing key, in this order:
#   KLASSE_SIGNING_KEY=FINGERPRINT  a secret key already in $GNUPGHOME (the school's key)
#   KLASSE_SIGNING_KEY_FILE=PATH    an exported secret key (gpg --export-secret-keys),
#                                   imported into a private keyring under build/
#   neither                         a THROWAWAY test key is generated in build/gnupg-test
#                                   (never committed; machines that trust it trust
#                                   nothing but this build)
# KLASSE_REPO_URL: where the machines will fetch the repository (default: file://REPO_DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(realpath -m "${1:-build/repo}")
debs=${KLASSE_DEBS:-build/debs}
codename=bookworm
url=${KLASSE_REPO_URL:-file://$repo}

if [ -n "${KLASSE_SIGNING_KEY:-}" ]; then
    key=$KLASSE_SIGNING_KEY
elif [ -n "${KLASSE_SIGNING_KEY_FILE:-}" ]; then
    export GNUPGHOME=$PWD/build/gnupg-import
    mkdir -p -m 700 "$GNUPGHOME"
    gpg --batch --quiet --import "$KLASSE_SIGNING_KEY_FILE"
    key=$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1=="fpr"{print $10; exit}')
else
    export GNUPGHOME=$PWD/build/gnupg-test
    mkdir -p -m 700 "$GNUPGHOME"
    if ! gpg --batch --list-secret-keys 2>/dev/null | grep -q sec; then
        echo "make_repo: generating a THROWAWAY signing key for tests in $GNUPGHOME"
        gpg --batch --quiet --passphrase '' --quick-gen-key \
            "Klasse test repository (throwaway) <test-repo@klasse.invalid>" ed25519 sign 30d
    fi
    key=$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1=="fpr"{print $10; exit}')
fi
[ -n "$key" ] || { echo "make_repo: no signing key found" >&2; exit 1; }

mkdir -p "$repo/conf"
cat > "$repo/conf/distributions" <<CONF
Origin: Klasse
Label: Klasse
Codename: $codename
Architectures: amd64
Components: main
Description: Klasse video lessons (client and room service)
SignWith: $key
CONF
cat > "$repo/conf/options" <<CONF
verbose
CONF
for deb in "$debs"/*.deb; do
    name=$(dpkg-deb -f "$deb" Package)
    # Same version rebuilt: replace it (a new release gets a new version instead).
    reprepro -b "$repo" -C main remove "$codename" "$name" >/dev/null 2>&1 || true
    reprepro -b "$repo" -C main includedeb "$codename" "$deb" >/dev/null
done
reprepro -b "$repo" export "$codename" >/dev/null

keyring=$repo/klasse-archive-keyring.gpg
gpg --batch --yes --export "$key" > "$keyring"
echo "deb [signed-by=/usr/share/keyrings/klasse-archive-keyring.gpg] $url $codename main" \
    > "$repo/klasse.list"
# Check what apt will check: the Release file is signed by exactly this key.
gpgv --keyring "$keyring" "$repo/dists/$codename/InRelease" 2>/dev/null \
    || { echo "make_repo: InRelease does not verify with $keyring" >&2; exit 1; }
echo "make_repo: $repo signed by $key"
echo "make_repo: keyring $keyring -> /usr/share/keyrings/"
echo "make_repo: sources $repo/klasse.list -> /etc/apt/sources.list.d/"
