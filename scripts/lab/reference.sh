# shellcheck shell=bash
# The reference boot stack: dnsmasq (DHCP + TFTP with Debian's iPXE binaries)
# and nginx serving an iPXE script, the kernel and the initrd. It
# proves the lab without bootd and is bootd's peer in benchmarks. Sourced
# after lib.sh.

# Serves the web root: boot.ipxe, vmlinuz, initrd.img, booted/<mac> for the
# VM's MAC and every MAC in LAB_EXTRA_MACS (the storm's other VMs).
# lab_ref_webroot <mac>
lab_ref_webroot() {
  local mac=$1 www="$LAB_DIR/www" base="http://$LAB_SRV_IP:$LAB_HTTP_PORT" m
  mkdir -p "$www/booted" "$LAB_DIR/tftp"
  ln -sf "$LAB_KERNEL" "$www/vmlinuz"
  ln -sf "$LAB_INITRD" "$www/initrd.img"
  ln -sf /usr/lib/ipxe/ipxe.efi "$www/ipxe.efi"
  for m in "$mac" ${LAB_EXTRA_MACS:-}; do echo ok >"$www/booted/$m"; done
  # no_timer_check: on a loaded TCG host the kernel's IO-APIC timer check
  # can fail and panic (seen at load 15); both stacks boot with it.
  # initrd= is needed by the kernel's EFI stub under iPXE EFI (facts file);
  # absolute URLs because ${next-server} is the site server's under ProxyDHCP.
  cat >"$www/boot.ipxe" <<EOF
#!ipxe
kernel $base/vmlinuz initrd=initrd.img console=ttyS0 quiet no_timer_check rb.mac=\${mac} rb.ip=\${ip} rb.mask=\${netmask} rb.callback=$base/booted/\${mac}
initrd $base/initrd.img
boot
EOF
  # TFTP names for both server mode and dnsmasq's proxy (which appends ".0").
  ln -sf /usr/lib/ipxe/undionly.kpxe "$LAB_DIR/tftp/undionly.kpxe"
  ln -sf /usr/lib/ipxe/ipxe.efi "$LAB_DIR/tftp/ipxe.efi"
  ln -sf /usr/lib/ipxe/undionly.kpxe "$LAB_DIR/tftp/undionly.0"
  ln -sf /usr/lib/ipxe/ipxe.efi "$LAB_DIR/tftp/ipxe.0"
}

# nginx (Debian's nginx-light, scripts/setup --bench) as the issue's
# reference HTTP server: one worker, sendfile, keep-alive, the access log in
# httpd.log (lab_ref_stages reads request paths from it). Without nginx, or
# with RACKBOOT_LAB_HTTPD=busybox, busybox httpd serves the same root.
lab_ref_httpd() {
  local tmp="$LAB_DIR/nginx"
  if [ "${RACKBOOT_LAB_HTTPD:-nginx}" = nginx ] && command -v nginx >/dev/null 2>&1; then
    mkdir -p "$tmp"
    cat >"$tmp/nginx.conf" <<EOF
daemon off;
user root;
worker_processes 1;
pid $tmp/nginx.pid;
error_log stderr;
events { worker_connections 512; }
http {
  access_log $LAB_DIR/httpd.log;
  client_body_temp_path $tmp/body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  server {
    listen $LAB_SRV_IP:$LAB_HTTP_PORT;
    root $LAB_DIR/www;
  }
}
EOF
    LAB_HTTPD=nginx
    lab_spawn srv nginx.log nginx -e stderr -c "$tmp/nginx.conf" -p "$tmp"
  else
    LAB_HTTPD=busybox
    lab_spawn srv httpd.log busybox httpd -f -vv -p "$LAB_SRV_IP:$LAB_HTTP_PORT" -h "$LAB_DIR/www"
  fi
  LAB_HTTPD_PID=$LAB_LAST_PID
}

# Common dnsmasq options: DHCP only (no DNS), logged, no ping check before an
# offer (it costs ~3 s per new client).
lab_dnsmasq_base() {
  cat <<EOF
port=0
user=root
no-resolv
no-hosts
interface=eth0
bind-interfaces
no-ping
log-dhcp
log-facility=-
EOF
}

# A plain DHCP server with no boot information: the "site" server of the
# ProxyDHCP variant. lab_site_dhcp_start
lab_site_dhcp_start() {
  {
    lab_dnsmasq_base
    echo "dhcp-range=$LAB_SUBNET_PREFIX.100,$LAB_SUBNET_PREFIX.199,255.255.255.0,1h"
    echo "dhcp-leasefile=$LAB_DIR/site.leases"
    echo "dhcp-authoritative"
  } >"$LAB_DIR/site.conf"
  lab_spawn site site-dhcp.log dnsmasq --keep-in-foreground --conf-file="$LAB_DIR/site.conf" \
    --pid-file="$LAB_DIR/site.pid"
  lab_expect_running "$LAB_LAST_PID" site-dhcp.log
}

# lab_ref_start <server|proxy> <mac> [firmware]
# With firmware uefi-http, PXE clients get no boot file, so OVMF falls through
# its boot options from PXE to HTTP Boot.
lab_ref_start() {
  local mode=$1 mac=$2 fw=${3:-} url="http://$LAB_SRV_IP:$LAB_HTTP_PORT/boot.ipxe"
  lab_ref_webroot "$mac"
  lab_ref_httpd
  {
    lab_dnsmasq_base
    echo "enable-tftp"
    echo "tftp-root=$LAB_DIR/tftp"
    echo "dhcp-leasefile=$LAB_DIR/ref.leases"
    echo "dhcp-userclass=set:ipxe,iPXE"
    echo "dhcp-match=set:efi64,option:client-arch,7"
    echo "dhcp-vendorclass=set:http,HTTPClient"
    # iPXE: skip its 2-3 s wait for ProxyDHCP offers (option 175.176 = 1).
    echo "dhcp-option=tag:ipxe,encap:175,176,1b"
    if [ "$mode" = server ]; then
      echo "dhcp-range=$LAB_SUBNET_PREFIX.100,$LAB_SUBNET_PREFIX.199,255.255.255.0,1h"
      echo "dhcp-authoritative"
      echo "dhcp-boot=tag:ipxe,$url"
      [ "$fw" = uefi-http ] || echo "dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi,,$LAB_SRV_IP"
      echo "dhcp-boot=tag:!ipxe,tag:!efi64,tag:!http,undionly.kpxe,,$LAB_SRV_IP"
      # UEFI HTTP Boot: the reply must echo option 60 "HTTPClient" (UEFI 2.5+ §24.7).
      echo "dhcp-option-force=tag:http,60,HTTPClient"
      echo "dhcp-boot=tag:http,http://$LAB_SRV_IP:$LAB_HTTP_PORT/ipxe.efi"
    else
      echo "dhcp-range=$LAB_SUBNET_PREFIX.0,proxy,255.255.255.0"
      echo "pxe-service=tag:!ipxe,x86PC,\"rackboot\",undionly,$LAB_SRV_IP"
      echo "pxe-service=tag:!ipxe,X86-64_EFI,\"rackboot\",ipxe,$LAB_SRV_IP"
      echo "pxe-service=tag:ipxe,x86PC,\"rackboot\",$url"
      echo "pxe-service=tag:ipxe,X86-64_EFI,\"rackboot\",$url"
    fi
  } >"$LAB_DIR/ref.conf"
  lab_spawn srv ref-dnsmasq.log dnsmasq --keep-in-foreground --conf-file="$LAB_DIR/ref.conf" \
    --pid-file="$LAB_DIR/ref.pid"
  lab_expect_running "$LAB_LAST_PID" ref-dnsmasq.log
  lab_expect_running "$LAB_HTTPD_PID" "$([ "$LAB_HTTPD" = nginx ] && echo nginx.log || echo httpd.log)"
}

# Prints the stages the reference stack has seen for <mac>, one name a line.
lab_ref_stages() {
  local mac=$1 d="$LAB_DIR/ref-dnsmasq.log" s="$LAB_DIR/site-dhcp.log" h="$LAB_DIR/httpd.log"
  touch "$d" "$s" "$h"
  grep -qiE "DHCPOFFER\(eth0\) [0-9.]+ $mac|PXE\(eth0\) .*$mac proxy" "$d" "$s" 2>/dev/null && echo dhcp_offer
  grep -qiE "DHCPACK\(eth0\) [0-9.]+ $mac" "$d" "$s" 2>/dev/null && echo dhcp_ack
  grep -qE "dnsmasq-tftp.*sent .*(undionly|ipxe)" "$d" 2>/dev/null && echo boot_file
  grep -q "/ipxe.efi" "$h" && echo boot_file  # UEFI HTTP Boot
  grep -q "boot.ipxe" "$h" && echo script
  grep -q "/vmlinuz" "$h" && echo kernel
  grep -q "/initrd.img" "$h" && echo initrd
  grep -qi "/booted/" "$h" && echo booted
  return 0
}
