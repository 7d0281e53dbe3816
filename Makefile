# Klasse quick start: `make demo` runs the product, `make test` passes the tests.
# Each target does its own set-up (apt packages, virtualenv, blur model) and a
# second run with nothing changed takes seconds.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
NETNS := scripts/netns-run
APT_PACKAGES := python3-venv iproute2 janus janus-tools xvfb xauth \
	libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 \
	libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxkbcommon-x11-0 libegl1 libgl1 \
	libfontconfig1 libdbus-1-3 fonts-dejavu-core tesseract-ocr tesseract-ocr-eng \
	libportaudio2 libasound2-plugins pulseaudio pulseaudio-utils nftables libopus0

# Only `make packages` needs these (installers); `make test` stays without them.
PACKAGING_APT := reprepro gnupg gpgv debootstrap wixl msitools osslsigncode openssl dpkg-dev \
	fakeroot patchelf binutils

.PHONY: setup apt venv model translations demo screenshots test lint typecheck pytest clean \
	packages packages-test

setup: apt venv model translations

apt:
	@scripts/ensure-apt $(APT_PACKAGES)

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml | apt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

# Blur models from the mediapipe wheel, sha256-checked, kept outside git (.models/ or
# $$KLASSE_MODEL_DIR). Always run: verifying the present files takes ~0.1 s.
model: venv
	@PYTHON=$(PY) scripts/fetch-model

# Qt translations: .ts sources -> .qm (pyside6-lrelease ships in PySide6-Essentials)
TS_FILES := $(wildcard resources/translations/*.ts)
QM_FILES := $(TS_FILES:.ts=.qm)
translations: $(QM_FILES)

resources/translations/%.qm: resources/translations/%.ts | venv
	$(VENV)/bin/pyside6-lrelease -silent $< -qm $@

# PNGs of the main screens under a virtual X server (build/screenshots/)
screenshots: setup
	QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" $(PY) scripts/screenshots.py

# The product in a private network namespace: room service + Janus, a demo pupil, and
# the desktop client as the teacher (on your display, or under Xvfb with screenshots).
demo: setup
	$(NETNS) $(PY) scripts/demo.py

lint: venv
	$(VENV)/bin/ruff check .

typecheck: venv
	$(VENV)/bin/mypy

pytest: setup
	$(NETNS) $(PY) -m pytest -q $(PYTEST_ARGS)

test: lint typecheck pytest

# Installers (docs/deploy.md): the client and server .debs in a gpg-signed apt repository
# (build/repo: keyring + signed-by sources line for IT), and the Windows MSI built from a
# stand-in payload, signed and verified (build/msi). KLASSE_SIGNING_KEY /
# KLASSE_SIGNING_KEY_FILE choose the repository key; without them a throwaway test key.
packages: setup
	@scripts/ensure-apt $(PACKAGING_APT)
	nice -n 10 packaging/linux/build_debs.py
	packaging/linux/make_repo.sh
	nice -n 10 packaging/windows/standin_msi.py build/msi

# Install both packages from the signed repository into a clean debootstrap root, run a
# lesson between them, try tampered repositories, purge (root; several minutes).
packages-test: packages
	time nice -n 10 packaging/linux/packages_test.sh
	KLASSE_REQUIRE_MSI_TOOLS=1 $(PY) -m pytest -q -p no:cacheprovider tests/unit/test_msi_signing.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
