#!/usr/bin/env bash
# System packages the test suite needs, all from Debian:
#   chromium                         Playwright e2e tests (Playwright's own browser download cannot work here)
#   fonts-noto-cjk                   Chinese in Chromium's screenshots (checked on its own: a machine may have Chromium without it)
#   snmpd, snmp, snmptrapd, snmpsim  real SNMP peers for the SNMP integration tests
#   iproute2                         network namespaces with veth: lab devices on addresses of their own (not loopback)
#   podman, runc, busybox-static     a real workload engine (Podman's Docker-compatible API) and images built locally from busybox
#   libxml2-utils                    xmllint: the firmware descriptions the tests write are validated against assets/firmware/*.xsd
#   procps                           pgrep: the Podman test service's conmon helpers are found and ended before its storage is removed
# As root on Debian/Ubuntu it installs what is missing; elsewhere it says what to install.
set -euo pipefail
chromium="${EDGECAB_CHROMIUM:-/usr/bin/chromium}"
missing=()
[ -x "$chromium" ] || missing+=(chromium)
if command -v fc-list >/dev/null 2>&1; then
  [ -n "$(fc-list :lang=zh 2>/dev/null | head -1)" ] || missing+=(fonts-noto-cjk)
else
  dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed' || missing+=(fonts-noto-cjk)
fi
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v /usr/sbin/snmpd >/dev/null 2>&1 || missing+=(snmpd)
command -v snmptrap >/dev/null 2>&1 || missing+=(snmp)
command -v /usr/sbin/snmptrapd >/dev/null 2>&1 || missing+=(snmptrapd)
command -v snmpsimd >/dev/null 2>&1 || missing+=(snmpsim)
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v pgrep >/dev/null 2>&1 || missing+=(procps)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || missing+=(runc)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || missing+=(busybox-static)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "edgecab: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
cat >&2 <<MSG
edgecab: the tests need these Debian packages, which are missing: ${missing[*]}
  Debian/Ubuntu (as root):  apt-get install ${missing[*]}
  elsewhere: install the equivalents (Chromium: or set EDGECAB_CHROMIUM=/path/to/chromium)
MSG
exit 1
