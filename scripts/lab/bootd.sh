# shellcheck shell=bash
# bootd in the lab (standalone mode). Filled in once bootd serves DHCP, TFTP
# and HTTP. Sourced after lib.sh.
lab_bootd_start() { lab_die "bootd stack not wired yet; use --stack reference"; }
lab_bootd_stages() { :; }
lab_bootd_detail() { :; }
lab_bootd_events_json() { :; }
