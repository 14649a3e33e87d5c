{{/* Names, labels and the pieces every pod shares. */}}

{{- define "tszh.fullname" -}}
{{- printf "%s" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "tszh.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "tszh.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ default .Chart.AppVersion .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one process: (dict "root" $ "component" "web") */}}
{{- define "tszh.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
Checks of the values that a schema cannot express; rendering fails with the reason.
*/}}
{{- define "tszh.validate" -}}
{{- $connection := .Values.postgresql.connection -}}
{{- if not (has $connection (list "direct" "session-pooler")) -}}
{{- fail (printf "postgresql.connection is %q: only \"direct\" or \"session-pooler\" are supported. Transaction-mode poolers (PgBouncer pool_mode=transaction, RDS Proxy) mix search_path between associations, so one association could read another's rows." $connection) -}}
{{- end -}}
{{- if not (has .Values.secrets.source (list "kubernetes" "vault")) -}}
{{- fail (printf "secrets.source must be \"kubernetes\" or \"vault\", not %q" .Values.secrets.source) -}}
{{- end -}}
{{- if and (eq .Values.secrets.source "kubernetes") (not .Values.secrets.existingSecret) -}}
{{- fail "secrets.existingSecret must name the Secret with DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL, EMAIL_HOST" -}}
{{- end -}}
{{- range $name, $value := .Values.env -}}
{{- if regexMatch "(?i)(PASSWORD|PASSWD|SECRET|TOKEN|_KEY$|MASTER_KEY|DSN|CREDENTIAL|DATABASE_URL|REDIS_URL|BROKER_URL)" $name -}}
{{- fail (printf "env.%s looks like a credential: put it in the Secret (secrets.existingSecret) or Vault, never in values" $name) -}}
{{- end -}}
{{- if has $name (list "TSZH_ENV" "TSZH_BASE_DOMAIN" "DJANGO_ALLOWED_HOSTS" "VAULT_ADDR" "VAULT_AUTH" "VAULT_K8S_ROLE" "VAULT_PROVISIONING_K8S_ROLE" "VAULT_TOKEN" "VAULT_PROVISIONING_TOKEN") -}}
{{- fail (printf "env.%s is set by the chart from its own values; do not set it in env" $name) -}}
{{- end -}}
{{- end -}}
{{- if eq .Values.serviceAccounts.web.name .Values.serviceAccounts.provisioning.name -}}
{{- fail "serviceAccounts.web.name and serviceAccounts.provisioning.name must differ: the key jobs' Vault role must not reach the web pods" -}}
{{- end -}}
{{- if eq .Values.vault.roles.web .Values.vault.roles.provisioning -}}
{{- fail "vault.roles.web and vault.roles.provisioning must differ (docs/security.md)" -}}
{{- end -}}
{{- if not .Values.env.TSZH_FILES_S3_BUCKET -}}
{{- fail "env.TSZH_FILES_S3_BUCKET is required: pods have a read-only file system, private files go to an S3-compatible bucket (in Russia)" -}}
{{- end -}}
{{- if lt (int .Values.postgresql.majorVersion) 18 -}}
{{- fail "postgresql.majorVersion below 18: the image's pg_dump is 18 and the portal is tested on 18" -}}
{{- end -}}
{{- end -}}

{{/*
Environment of every process. (dict "root" $ "role" "web"|"provisioning"|"migrate")
*/}}
{{- define "tszh.env" -}}
{{- $root := .root -}}
- name: TSZH_ENV
  value: production
- name: TSZH_BASE_DOMAIN
  value: {{ $root.Values.baseDomain | quote }}
{{- if $root.Values.ingress.customDomains }}
{{- /* Django's host check: the base domain, its subdomains and every custom domain. */}}
{{- $hosts := list $root.Values.baseDomain (printf ".%s" $root.Values.baseDomain) }}
{{- range $root.Values.ingress.customDomains }}
{{- $hosts = append $hosts .host }}
{{- end }}
- name: DJANGO_ALLOWED_HOSTS
  value: {{ join "," $hosts | quote }}
{{- end }}
- name: SENTRY_ENVIRONMENT
  value: {{ $root.Values.environment | quote }}
- name: SENTRY_RELEASE
  value: {{ default $root.Chart.AppVersion $root.Values.image.tag | quote }}
- name: VAULT_ADDR
  value: {{ $root.Values.vault.address | quote }}
- name: VAULT_AUTH
  value: kubernetes
- name: VAULT_TRANSIT_MOUNT
  value: {{ $root.Values.vault.transitMount | quote }}
- name: VAULT_K8S_AUTH_MOUNT
  value: {{ $root.Values.vault.authMount | quote }}
{{- with $root.Values.vault.namespace }}
- name: VAULT_NAMESPACE
  value: {{ . | quote }}
{{- end }}
{{- if $root.Values.vault.caConfigMap }}
- name: VAULT_CACERT
  value: /etc/tszh/vault-ca/ca.crt
{{- end }}
{{- if eq .role "provisioning" }}
{{- /* The key jobs: both credentials are the provisioning role (its policy also unwraps, for re-encryption). */}}
- name: VAULT_K8S_ROLE
  value: {{ $root.Values.vault.roles.provisioning | quote }}
- name: VAULT_PROVISIONING_K8S_ROLE
  value: {{ $root.Values.vault.roles.provisioning | quote }}
{{- else if eq .role "migrate" }}
{{- /* The public schema's migrations hold no encrypted data: a role that reads the KV secret only. */}}
- name: VAULT_K8S_ROLE
  value: {{ $root.Values.vault.roles.migrate | quote }}
{{- else }}
- name: VAULT_K8S_ROLE
  value: {{ $root.Values.vault.roles.web | quote }}
{{- end }}
{{- if eq $root.Values.secrets.source "vault" }}
- name: TSZH_ENV_FILE
  value: /vault/secrets/env
{{- end }}
{{- range $name, $value := $root.Values.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* envFrom: the Secret's keys (secrets.source: kubernetes). */}}
{{- define "tszh.envFrom" -}}
{{- if eq .Values.secrets.source "kubernetes" }}
envFrom:
  - secretRef:
      name: {{ .Values.secrets.existingSecret }}
{{- end }}
{{- end -}}

{{/* Pod annotations for Vault Agent Injector (secrets.source: vault). (dict "root" $ "vaultRole" "...") */}}
{{- define "tszh.vaultAnnotations" -}}
{{- $root := .root -}}
{{- if eq $root.Values.secrets.source "vault" }}
annotations:
  vault.hashicorp.com/agent-inject: "true"
  vault.hashicorp.com/role: {{ .vaultRole | quote }}
  vault.hashicorp.com/auth-path: {{ printf "auth/%s" $root.Values.vault.authMount | quote }}
  vault.hashicorp.com/agent-pre-populate-only: "true"
  vault.hashicorp.com/agent-inject-secret-env: {{ $root.Values.secrets.vault.path | quote }}
  vault.hashicorp.com/agent-inject-template-env: |
    {{`{{- with secret "`}}{{ $root.Values.secrets.vault.path }}{{`" -}}{{- range $k, $v := .Data.data }}
    export {{ $k }}='{{ $v | replaceAll "'" "'\\''" }}'
    {{- end }}{{- end }}`}}
{{- end }}
{{- end -}}

{{- define "tszh.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .Values.securityContext.runAsUser }}
  runAsGroup: {{ .Values.securityContext.runAsGroup }}
  fsGroup: {{ .Values.securityContext.fsGroup }}
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{- define "tszh.containerSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: [ALL]
{{- end -}}

{{- define "tszh.volumeMounts" -}}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- if .Values.vault.caConfigMap }}
  - name: vault-ca
    mountPath: /etc/tszh/vault-ca
    readOnly: true
{{- end }}
{{- end -}}

{{- define "tszh.volumes" -}}
volumes:
  - name: tmp
    emptyDir: {}
{{- with .Values.vault.caConfigMap }}
  - name: vault-ca
    configMap:
      name: {{ . }}
{{- end }}
{{- end -}}

{{- define "tszh.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "tszh.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
{{ toYaml . | indent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
{{ toYaml . | indent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
{{ toYaml . | indent 2 }}
{{- end }}
{{- end -}}
