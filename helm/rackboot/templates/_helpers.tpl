{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "rackboot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Object name prefix. Room is left for the longest suffix
("-bootd-<rack>-tls"), so rack names are limited to 30 characters
(values.schema.json).
*/}}
{{- define "rackboot.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 20 | trimSuffix "-" -}}
{{- else if contains (include "rackboot.name" .) .Release.Name -}}
{{- .Release.Name | trunc 20 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "rackboot.name" .) | trunc 20 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "rackboot.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: stable across upgrades (never the version). Pass (dict "ctx" . "component" "controller"). */}}
{{- define "rackboot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rackboot.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* All recommended labels. Pass (dict "ctx" . "component" "controller"). */}}
{{- define "rackboot.labels" -}}
{{ include "rackboot.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: rackboot
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ include "rackboot.chart" .ctx }}
{{- end -}}

{{- define "rackboot.controller.fullname" -}}{{ include "rackboot.fullname" . }}-controller{{- end -}}
{{- define "rackboot.bootd.serviceAccountName" -}}{{ include "rackboot.fullname" . }}-bootd{{- end -}}

{{/* Per-rack object name. Pass (dict "ctx" . "rack" $rack). */}}
{{- define "rackboot.bootd.rackName" -}}{{ include "rackboot.fullname" .ctx }}-bootd-{{ .rack.name }}{{- end -}}

{{- define "rackboot.controller.image" -}}
{{- printf "%s:%s" .Values.controller.image.repository (default .Chart.AppVersion .Values.controller.image.tag) -}}
{{- end -}}
{{- define "rackboot.bootd.image" -}}
{{- printf "%s:%s" .Values.bootd.image.repository (default .Chart.AppVersion .Values.bootd.image.tag) -}}
{{- end -}}

{{/* DNS name bootd dials (the controller Service). */}}
{{- define "rackboot.controller.serviceHost" -}}
{{- printf "%s.%s.svc" (include "rackboot.controller.fullname" .) .Release.Namespace -}}
{{- end -}}

{{/*
Secret names holding ca.crt, tls.crt, tls.key: the chart's, or existing
ones (tls.controllerSecretName, racks[].tlsSecretName), which only make
sense when the chart neither generates nor requests certificates.
*/}}
{{- define "rackboot.ownSecretsAllowed" -}}
{{- if or .Values.tls.generate .Values.certManager.enabled -}}
{{- fail "tls.controllerSecretName / racks[].tlsSecretName name existing Secrets: set tls.generate=false and certManager.enabled=false" -}}
{{- end -}}
{{- end -}}
{{- define "rackboot.controller.tlsSecret" -}}
{{- if .Values.tls.controllerSecretName -}}
{{- include "rackboot.ownSecretsAllowed" . -}}{{ .Values.tls.controllerSecretName }}
{{- else -}}
{{ include "rackboot.controller.fullname" . }}-tls
{{- end -}}
{{- end -}}
{{- define "rackboot.bootd.tlsSecret" -}}
{{- if .rack.tlsSecretName -}}
{{- include "rackboot.ownSecretsAllowed" .ctx -}}{{ .rack.tlsSecretName }}
{{- else -}}
{{ include "rackboot.bootd.rackName" . }}-tls
{{- end -}}
{{- end -}}
{{- define "rackboot.caSecret" -}}{{ include "rackboot.fullname" . }}-ca{{- end -}}

{{/* The rack's HTTPS Secret (kubernetes.io/tls), or "". Pass (dict "ctx" . "rack" $rack). */}}
{{- define "rackboot.bootd.httpsSecret" -}}
{{- default .ctx.Values.bootd.httpsSecretName .rack.httpsSecretName -}}
{{- end -}}

{{/* bootd's PriorityClass: the one named in values, else the chart's (if it makes one). */}}
{{- define "rackboot.bootd.priorityClassName" -}}
{{- if .Values.bootd.priorityClassName -}}
{{- .Values.bootd.priorityClassName -}}
{{- else if .Values.bootd.priorityClass.create -}}
{{- include "rackboot.fullname" . }}-bootd
{{- end -}}
{{- end -}}

{{/* Where discovery creates Machines: discovery.namespace, else watchNamespace, else the release namespace. */}}
{{- define "rackboot.discoveryNamespace" -}}
{{- $d := .Values.controller.discovery -}}
{{- $ns := $d.namespace | default .Values.controller.watchNamespace | default .Release.Namespace -}}
{{- if and .Values.controller.watchNamespace (ne $ns .Values.controller.watchNamespace) -}}
{{- fail (printf "controller.discovery.namespace %q: the controller watches only controller.watchNamespace %q and would never see the Machines it creates" $ns .Values.controller.watchNamespace) -}}
{{- end -}}
{{- $ns -}}
{{- end -}}

{{/*
One rack's bootd.yaml: bootd.config, racks[].bootd merged over it, then
what the chart owns (values.yaml lists it; the schema rejects it in
values). Both the rack's ConfigMap and the checksum on the rack's pod
template are made from this, so editing one rack rolls only that rack's
DaemonSet and editing shared config rolls all of them.
Pass (dict "ctx" . "rack" $rack).
*/}}
{{- define "rackboot.bootd.config" -}}
{{- $ctx := .ctx -}}
{{- $rack := .rack -}}
{{- $cfg := mergeOverwrite (deepCopy $ctx.Values.bootd.config) (deepCopy (default dict $rack.bootd)) -}}
{{- $dhcp := default dict $cfg.dhcp -}}
{{- $mode := default "off" $dhcp.mode -}}
{{- $net := default dict $rack.network -}}
{{- if eq $mode "server" -}}
{{- if not $net.pool -}}
{{- fail (printf "rack %q: dhcp.mode server needs network.pool (the addresses bootd leases and the controller assigns)" $rack.name) -}}
{{- end -}}
{{- /* The one pool definition (racks[].network) becomes bootd's pool. */ -}}
{{- $pool := dict "subnet" $net.subnet "rangeStart" $net.pool.start "rangeEnd" $net.pool.end -}}
{{- with $net.router }}{{ $_ := set $pool "router" . }}{{ end -}}
{{- with $net.dns }}{{ $_ := set $pool "dnsServers" . }}{{ end -}}
{{- with $net.domainName }}{{ $_ := set $pool "domainName" . }}{{ end -}}
{{- with $net.leaseSeconds }}{{ $_ := set $pool "leaseSeconds" . }}{{ end -}}
{{- $_ := set $dhcp "pools" (list $pool) -}}
{{- $_ := set $cfg "dhcp" $dhcp -}}
{{- else if $net.pool -}}
{{- fail (printf "rack %q: network.pool is for dhcp.mode server; in mode %s the site's DHCP server gives the addresses, so remove network.pool" $rack.name $mode) -}}
{{- end -}}
{{- $_ := set $cfg "rack" $rack.name -}}
{{- $_ := set $cfg "stateDir" "/var/lib/rackboot" -}}
{{- $_ := set $cfg "controller" (dict
      "address" (printf "%s:%v" (include "rackboot.controller.serviceHost" $ctx) $ctx.Values.controller.grpcPort)
      "serverName" (include "rackboot.controller.serviceHost" $ctx)
      "caFile" "/etc/rackboot/tls/ca.crt"
      "certFile" "/etc/rackboot/tls/tls.crt"
      "keyFile" "/etc/rackboot/tls/tls.key") -}}
{{- $_ := set $cfg "metrics" (dict "listen" (printf "0.0.0.0:%v" $ctx.Values.bootd.metricsPort)) -}}
{{- $https := include "rackboot.bootd.httpsSecret" . -}}
{{- $http := $cfg.http -}}
{{- if $http -}}
{{- $_ := set $http "artifactRoot" "/srv/rackboot/artifacts" -}}
{{- if $ctx.Values.bootd.artifactCache.enabled -}}
{{- $_ := set $http "artifactCacheDir" "/var/cache/rackboot/artifacts" -}}
{{- end -}}
{{- if $https -}}
{{- $_ := set $http "tlsListen" (default "0.0.0.0:8467" $http.tlsListen) -}}
{{- $_ := set $http "tlsCertFile" "/etc/rackboot/https/tls.crt" -}}
{{- $_ := set $http "tlsKeyFile" "/etc/rackboot/https/tls.key" -}}
{{- else if $http.tlsListen -}}
{{- fail (printf "rack %q: http.tlsListen needs a certificate: set bootd.httpsSecretName or racks[].httpsSecretName" $rack.name) -}}
{{- end -}}
{{- else if $https -}}
{{- fail (printf "rack %q: an HTTPS Secret is set but bootd's http section is off" $rack.name) -}}
{{- end -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/*
Namespaces whose labelled Secrets the controller reads (controller.secretNamespaces,
else the watched namespace, else the release namespace), as a list.
*/}}
{{- define "rackboot.secretNamespaces" -}}
{{- $list := .Values.controller.secretNamespaces -}}
{{- if not $list -}}
{{- $list = list (default .Release.Namespace .Values.controller.watchNamespace) -}}
{{- end -}}
{{- toJson $list -}}
{{- end -}}
