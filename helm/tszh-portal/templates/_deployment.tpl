{{/*
One Deployment. (dict "root" $ "component" "web" "process" "web" "serviceAccount" "tszh-web"
  "vaultRole" "tszh-web" "role" "web" "replicas" 2 "autoscaled" true "strategy" "RollingUpdate"
  "values" .Values.web "extraEnv" (list) "web" true)
*/}}
{{- define "tszh.deployment" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "tszh.fullname" $root }}-{{ .component }}
  labels:
    {{- include "tszh.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  {{- if not .autoscaled }}
  replicas: {{ .replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: {{ .strategy }}
  selector:
    matchLabels:
      {{- include "tszh.selector" (dict "root" $root "component" .component) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "tszh.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
      {{- include "tszh.vaultAnnotations" (dict "root" $root "vaultRole" .vaultRole) | nindent 6 }}
    spec:
      serviceAccountName: {{ .serviceAccount }}
      # The service account's token is how the pod logs in to Vault (Kubernetes auth).
      automountServiceAccountToken: true
      {{- include "tszh.podSecurityContext" $root | nindent 6 }}
      {{- include "tszh.imagePullSecrets" $root | nindent 6 }}
      terminationGracePeriodSeconds: {{ .terminationGracePeriodSeconds | default 30 }}
      containers:
        - name: {{ .component }}
          image: {{ include "tszh.image" $root | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ .process | quote }}]
          env:
            {{- include "tszh.env" (dict "root" $root "role" .role) | nindent 12 }}
            {{- range .extraEnv }}
            - name: {{ .name }}
              value: {{ .value | quote }}
            {{- end }}
          {{- include "tszh.envFrom" $root | nindent 10 }}
          {{- if .web }}
          ports:
            - name: http
              containerPort: 8000
          # /healthz and /readyz are answered before tenant routing (core/health.py): the
          # kubelet calls them with the pod's IP as host.
          startupProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 5
            failureThreshold: 24
          livenessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: {{ .values.probes.periodSeconds }}
            timeoutSeconds: {{ .values.probes.timeoutSeconds }}
            failureThreshold: {{ .values.probes.failureThreshold }}
          readinessProbe:
            httpGet: {path: /readyz, port: http}
            periodSeconds: {{ .values.probes.periodSeconds }}
            timeoutSeconds: {{ .values.probes.timeoutSeconds }}
            failureThreshold: {{ .values.probes.failureThreshold }}
          {{- else if .celeryProbe }}
          # A worker that no longer answers its broker's ping is restarted.
          livenessProbe:
            exec:
              command:
                - sh
                - -c
                - 'if [ -n "${TSZH_ENV_FILE:-}" ]; then . "$TSZH_ENV_FILE"; fi; exec celery -A config inspect ping --timeout 10 -d "celery@$HOSTNAME"'
            initialDelaySeconds: 60
            periodSeconds: 120
            timeoutSeconds: 30
            failureThreshold: 3
          {{- end }}
          resources:
            {{- toYaml .values.resources | nindent 12 }}
          {{- include "tszh.containerSecurityContext" $root | nindent 10 }}
          {{- include "tszh.volumeMounts" $root | nindent 10 }}
      {{- include "tszh.volumes" $root | nindent 6 }}
      {{- include "tszh.scheduling" .values | nindent 6 }}
{{- end -}}
