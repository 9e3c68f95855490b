{{/* The gRPC port of each service; the gateway serves HTTP on 8080. */}}
{{- define "gongyak.ports" -}}
pledge: 9101
budget: 9102
indicator: 9103
participation: 9104
events: 9105
gateway: 8080
{{- end }}

{{/* The port of the component in .name. */}}
{{- define "gongyak.port" -}}
{{- get (include "gongyak.ports" . | fromYaml) .name -}}
{{- end }}

{{/* The services in the order they are rendered. */}}
{{- define "gongyak.services" -}}
{{- list "pledge" "budget" "indicator" "participation" "events" | toJson -}}
{{- end }}

{{/* The name of the component .name of this release: {release}-{name}. */}}
{{- define "gongyak.name" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* The labels every object of the release carries. */}}
{{- define "gongyak.labels" -}}
app.kubernetes.io/name: gongyak
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/* The labels that pick the pods of component .name. */}}
{{- define "gongyak.selector" -}}
app.kubernetes.io/name: gongyak
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* The values of component .name: defaults, overridden by its own. */}}
{{- define "gongyak.values" -}}
{{- $own := ternary .root.Values.gateway (get .root.Values.services .name) (eq .name "gateway") | default dict -}}
{{- mergeOverwrite (deepCopy .root.Values.defaults) (deepCopy $own) | toJson -}}
{{- end }}

{{/* The image of component .name. */}}
{{- define "gongyak.image" -}}
{{- $i := .root.Values.image -}}
{{- printf "%s/%s%s:%s" $i.registry $i.repositoryPrefix .name (default .root.Chart.AppVersion $i.tag) -}}
{{- end }}

{{/* The Secret holding the keys. */}}
{{- define "gongyak.keysSecret" -}}
{{- default (printf "%s-keys" .Release.Name) .Values.secrets.existingSecret -}}
{{- end }}

{{/* The Secret holding each service's database URL (external mode). */}}
{{- define "gongyak.databaseSecret" -}}
{{- default (printf "%s-database" .Release.Name) .Values.postgresql.external.existingSecret -}}
{{- end }}

{{/* The CloudNativePG Cluster's name. */}}
{{- define "gongyak.cnpgName" -}}
{{- printf "%s-postgres" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end }}

{{/* A password kept across upgrades: the one in Secret .secret's key .key
     when the cluster has it, else a new random one. */}}
{{- define "gongyak.keptRandom" -}}
{{- $s := lookup "v1" "Secret" .root.Release.Namespace .secret -}}
{{- if and $s $s.data (hasKey $s.data .key) -}}
{{- index $s.data .key | b64dec -}}
{{- else -}}
{{- randAlphaNum 40 -}}
{{- end -}}
{{- end }}

{{/* The pod's security context and the container's: non-root 65532,
     read-only root, nothing extra. */}}
{{- define "gongyak.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "gongyak.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Telemetry environment of component .name. */}}
{{- define "gongyak.telemetryEnv" -}}
{{- $t := .root.Values.telemetry }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: OTEL_SERVICE_NAME
  value: {{ .name | quote }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "service.namespace=gongyak,service.instance.id=$(POD_NAME),k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE)%s" (ternary (printf ",%s" $t.resourceAttributes) "" (ne $t.resourceAttributes "")) | quote }}
{{- with $t.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- with $t.otlpProtocol }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ . | quote }}
{{- end }}
{{- if .root.Values.metrics.enabled }}
- name: GONGYAK_METRICS_ADDR
  value: {{ printf ":%v" .root.Values.metrics.port | quote }}
{{- end }}
{{- end }}

{{/* The TLS environment, when on. */}}
{{- define "gongyak.tlsEnv" -}}
{{- if .Values.tls.enabled }}
- name: GONGYAK_TLS_CERT
  value: /etc/gongyak/tls/tls.crt
- name: GONGYAK_TLS_KEY
  value: /etc/gongyak/tls/tls.key
- name: GONGYAK_TLS_CA
  value: /etc/gongyak/tls/ca.crt
{{- end }}
{{- end }}

{{/* Pod annotations: scrape, and a restart when the configuration changes. */}}
{{- define "gongyak.podAnnotations" -}}
checksum/config: {{ include (print .root.Template.BasePath "/configmap.yaml") .root | sha256sum }}
{{- if .root.Values.metrics.enabled }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .root.Values.metrics.port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end }}
