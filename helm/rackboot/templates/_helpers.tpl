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

{{/* Secret names holding ca.crt, tls.crt, tls.key. */}}
{{- define "rackboot.controller.tlsSecret" -}}{{ include "rackboot.controller.fullname" . }}-tls{{- end -}}
{{- define "rackboot.bootd.tlsSecret" -}}{{ include "rackboot.bootd.rackName" . }}-tls{{- end -}}
{{- define "rackboot.caSecret" -}}{{ include "rackboot.fullname" . }}-ca{{- end -}}

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
