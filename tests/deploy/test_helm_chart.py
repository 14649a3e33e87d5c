"""The Helm chart, linted and rendered offline by the Helm library (helm-python-sdk).

Rendered for a few value sets; the manifests are read back as data and checked: probes on the
paths core/health.py answers, pods that cannot run as root, exactly one beat, the two Vault roles
of docs/security.md on two service accounts, transaction-mode poolers refused, and no
credential anywhere in a manifest.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

helm_python = pytest.importorskip("helm_python")

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "tszh-portal"
ENTRYPOINTS = ROOT / "deploy" / "entrypoints"
CREDENTIAL = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|_KEY$|MASTER_KEY|DSN|DATABASE_URL|REDIS_URL")

VALUE_SETS = {
    "defaults": {},
    "vault-secrets-custom-domains": {
        "secrets": {"source": "vault"},
        "image": {"tag": "2026.12.1"},
        "ingress": {"customDomains": [{"host": "portal.tsg-romashka.ru"}]},
        "web": {"autoscaling": {"enabled": False}, "replicas": 3},
        "vault": {"caConfigMap": "vault-ca", "namespace": "tszh"},
    },
    "session-pooler-minimal": {
        "postgresql": {"connection": "session-pooler"},
        "ingress": {"enabled": False},
        "serviceAccounts": {"create": False},
        "migrations": {"tenants": {"enabled": False}},
        "worker": {"autoscaling": {"enabled": False}},
    },
}


def render(values: dict, *, revision: int = 4) -> list[dict]:
    chart = helm_python.Chart.load(str(CHART))
    try:
        out = chart.render(
            values, name="tszh", namespace="tszh", revision=revision, is_upgrade=True
        )
    finally:
        chart.close()
    documents = []
    for path, manifest in out.items():
        if path.endswith("NOTES.txt"):
            assert "docs/operations.md" in manifest
            continue
        documents.extend(doc for doc in yaml.safe_load_all(manifest) if doc)
    return documents


def render_error(values: dict) -> str:
    with pytest.raises(helm_python.HelmError) as caught:
        render(values)
    return str(caught.value)


@pytest.fixture(scope="module", params=list(VALUE_SETS))
def rendered(request) -> tuple[str, list[dict]]:
    return request.param, render(copy.deepcopy(VALUE_SETS[request.param]))


def of_kind(documents: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


def pods(documents: list[dict]) -> dict[str, dict]:
    """Pod specs of every Deployment and Job, by object name."""
    return {
        doc["metadata"]["name"]: doc["spec"]["template"]
        for doc in documents
        if doc["kind"] in {"Deployment", "Job"}
    }


def env_of(container: dict) -> dict[str, dict]:
    return {item["name"]: item for item in container.get("env", [])}


@pytest.mark.parametrize("name", list(VALUE_SETS))
def test_the_chart_lints_clean(name):
    result = helm_python.lint(str(CHART), copy.deepcopy(VALUE_SETS[name]), strict=True)
    assert result["errors"] == [], result
    assert not [m for m in result["messages"] if m["severity"] >= 2], result


def test_every_process_has_its_deployment_and_entry_point(rendered):
    _name, documents = rendered
    deployments = of_kind(documents, "Deployment")
    assert set(deployments) == {"tszh-web", "tszh-worker", "tszh-keys-worker", "tszh-beat"}
    for name, pod in pods(documents).items():
        for container in pod["spec"]["containers"]:
            (process,) = container["args"]
            assert (ENTRYPOINTS / process).is_file(), f"{name} runs a missing entry point"


def test_pods_run_as_non_root_with_a_read_only_root(rendered):
    _name, documents = rendered
    for name, pod in pods(documents).items():
        spec = pod["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert container["resources"]["requests"]["memory"], name
            assert container["resources"]["limits"]["memory"], name


def test_root_is_refused_by_the_values_schema():
    assert "runAsUser" in render_error({"securityContext": {"runAsUser": 0}})


def test_web_probes_use_the_health_endpoints(rendered):
    _name, documents = rendered
    (web,) = of_kind(documents, "Deployment")["tszh-web"]["spec"]["template"]["spec"]["containers"]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["startupProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("livenessProbe", "readinessProbe"):
        assert web[probe]["httpGet"]["port"] == "http"
    assert web["ports"] == [{"name": "http", "containerPort": 8000}]
    # The workers are watched too (their broker's ping).
    for name in ("tszh-worker", "tszh-keys-worker"):
        (container,) = of_kind(documents, "Deployment")[name]["spec"]["template"]["spec"][
            "containers"
        ]
        assert "inspect ping" in " ".join(container["livenessProbe"]["exec"]["command"])


def test_the_probed_paths_are_answered_by_core_health_before_routing(monkeypatch):
    from django.test import RequestFactory

    from core import health

    monkeypatch.setattr(health, "CHECKS", {"ok": lambda: None})

    def routed(request):
        raise AssertionError(f"{request.path} reached tenant routing")

    middleware = health.HealthProbeMiddleware(routed)
    for path in ("/healthz", "/readyz"):
        # The kubelet calls with the pod's IP as host.
        response = middleware(RequestFactory().get(path, HTTP_HOST="10.0.0.7:8000"))
        assert response.status_code == 200, path


def test_exactly_one_beat(rendered):
    _name, documents = rendered
    beats = [
        doc
        for doc in of_kind(documents, "Deployment").values()
        if doc["spec"]["template"]["spec"]["containers"][0]["args"] == ["beat"]
    ]
    assert len(beats) == 1
    (beat,) = beats
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    targets = {
        hpa["spec"]["scaleTargetRef"]["name"]
        for hpa in of_kind(documents, "HorizontalPodAutoscaler").values()
    }
    assert beat["metadata"]["name"] not in targets


def test_beat_replicas_cannot_be_raised():
    assert "replicas" in render_error({"beat": {"replicas": 2}})


def test_hpa_and_pdb_for_web_and_worker():
    documents = render({})
    hpas = of_kind(documents, "HorizontalPodAutoscaler")
    assert {h["spec"]["scaleTargetRef"]["name"] for h in hpas.values()} == {
        "tszh-web",
        "tszh-worker",
    }
    deployments = of_kind(documents, "Deployment")
    for name in ("tszh-web", "tszh-worker"):
        # Scaled by the HPA: no fixed replicas that each upgrade would reset.
        assert "replicas" not in deployments[name]["spec"]
    pdbs = of_kind(documents, "PodDisruptionBudget")
    for pdb in pdbs.values():
        selector = pdb["spec"]["selector"]["matchLabels"]
        matched = [
            d for d in deployments.values() if d["spec"]["selector"]["matchLabels"] == selector
        ]
        assert len(matched) == 1 and matched[0]["metadata"]["name"] in {"tszh-web", "tszh-worker"}
    assert len(pdbs) == 2


def test_the_two_vault_roles_are_on_separate_service_accounts(rendered):
    name, documents = rendered
    deployments = of_kind(documents, "Deployment")
    by_account: dict[str, set[str]] = {}
    for deployment_name, deployment in deployments.items():
        pod = deployment["spec"]["template"]
        account = pod["spec"]["serviceAccountName"]
        (container,) = pod["spec"]["containers"]
        env = env_of(container)
        assert env["VAULT_AUTH"]["value"] == "kubernetes"
        roles = {env["VAULT_K8S_ROLE"]["value"]}
        if "VAULT_PROVISIONING_K8S_ROLE" in env:
            roles.add(env["VAULT_PROVISIONING_K8S_ROLE"]["value"])
        assert "VAULT_TOKEN" not in env and "VAULT_PROVISIONING_TOKEN" not in env
        annotations = pod["metadata"].get("annotations") or {}
        if name == "vault-secrets-custom-domains":
            roles.add(annotations["vault.hashicorp.com/role"])
        by_account.setdefault(account, set()).update(roles)
        if deployment_name == "tszh-keys-worker":
            assert account == "tszh-provisioning"
            assert roles == {"tszh-provisioning"}
        else:
            assert account == "tszh-web", deployment_name
            assert roles == {"tszh-web"}, deployment_name
    assert by_account == {"tszh-web": {"tszh-web"}, "tszh-provisioning": {"tszh-provisioning"}}
    accounts = of_kind(documents, "ServiceAccount")
    if name == "session-pooler-minimal":
        assert set(accounts) == {"tszh-migrate"}  # the operator creates the two others
    else:
        assert {"tszh-web", "tszh-provisioning"} <= set(accounts)


def test_the_roles_cannot_share_an_account_or_a_name():
    message = render_error(
        {"serviceAccounts": {"provisioning": {"name": "tszh-web", "annotations": {}}}}
    )
    assert "must differ" in message
    assert "must differ" in render_error({"vault": {"roles": {"provisioning": "tszh-web"}}})


@pytest.mark.parametrize("connection", ["transaction-pooler", "transaction", "rds-proxy", ""])
def test_transaction_mode_poolers_are_refused(connection):
    message = render_error({"postgresql": {"connection": connection}})
    assert "search_path" in message and "session-pooler" in message


def test_the_public_migration_is_a_pre_upgrade_hook_and_tenants_migrate_in_their_own_job():
    documents = render({}, revision=7)
    jobs = of_kind(documents, "Job")
    public = jobs["tszh-migrate"]
    assert public["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert public["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
    # Its service account exists before it (a hook of a lower weight): a first install has
    # none of the release's objects yet.
    account = of_kind(documents, "ServiceAccount")["tszh-migrate"]
    assert int(account["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
        public["metadata"]["annotations"]["helm.sh/hook-weight"]
    )
    tenants = jobs["tszh-migrate-tenants-r7"]
    assert "helm.sh/hook" not in (tenants["metadata"].get("annotations") or {})
    spec = tenants["spec"]
    assert spec["backoffLimit"] >= 1  # a retry resumes
    (container,) = spec["template"]["spec"]["containers"]
    assert container["args"] == ["migrate-tenants"]
    assert env_of(container)["TSZH_MIGRATION_PROCESSES"]["value"] == "4"
    assert spec["template"]["spec"]["serviceAccountName"] == "tszh-web"


def test_wildcard_ingress_with_tls_and_custom_domains():
    documents = render(VALUE_SETS["vault-secrets-custom-domains"])
    ingresses = of_kind(documents, "Ingress")
    main = ingresses["tszh"]
    assert main["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]
    hosts = {rule["host"] for rule in main["spec"]["rules"]}
    assert hosts == {"tszh.example", "*.tszh.example"}
    assert set(main["spec"]["tls"][0]["hosts"]) == hosts
    custom = ingresses["tszh-custom-domains"]
    assert [rule["host"] for rule in custom["spec"]["rules"]] == ["portal.tsg-romashka.ru"]
    assert custom["spec"]["tls"][0]["hosts"] == ["portal.tsg-romashka.ru"]
    assert custom["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]
    # Django accepts the custom domain too (its host check comes before tenant routing).
    (web,) = of_kind(documents, "Deployment")["tszh-web"]["spec"]["template"]["spec"]["containers"]
    allowed = env_of(web)["DJANGO_ALLOWED_HOSTS"]["value"].split(",")
    assert allowed == ["tszh.example", ".tszh.example", "portal.tsg-romashka.ru"]
    for ingress in ingresses.values():
        for rule in ingress["spec"]["rules"]:
            backend = rule["http"]["paths"][0]["backend"]["service"]
            assert backend["name"] == "tszh-web"


def test_no_secret_value_in_any_manifest(rendered):
    name, documents = rendered
    assert not of_kind(documents, "Secret"), "the chart never carries a Secret's values"
    for pod_name, pod in pods(documents).items():
        for container in pod["spec"]["containers"]:
            for item in container.get("env", []):
                if CREDENTIAL.search(item["name"]):
                    assert "value" not in item, f"{pod_name}: {item['name']} in plain text"
            if name == "vault-secrets-custom-domains":
                assert "envFrom" not in container
                assert env_of(container)["TSZH_ENV_FILE"]["value"] == "/vault/secrets/env"
            else:
                assert container["envFrom"] == [{"secretRef": {"name": "tszh-portal"}}]
    text = json.dumps(documents)
    assert not re.search(r"://[^/\s:\"]+:[^@\s\"]+@", text), "a URL with a password"
    assert "PRIVATE KEY" not in text


def test_the_files_bucket_is_required():
    # Pods have a read-only root file system: private files cannot go to var/files.
    # (null removes a default value in Helm's merge.)
    message = render_error({"env": {"TSZH_FILES_S3_BUCKET": None}})
    assert "TSZH_FILES_S3_BUCKET is required" in message


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "EMAIL_HOST_PASSWORD", "SENTRY_DSN"])
def test_credentials_in_plain_values_are_refused(variable):
    assert "looks like a credential" in render_error({"env": {variable: "x"}})


def test_every_value_is_described_in_the_schema_and_the_operations_guide():
    schema = json.loads((CHART / "values.schema.json").read_text())
    values = yaml.safe_load((CHART / "values.yaml").read_text())

    def walk(node: dict, path: str) -> None:
        for key, spec in node.get("properties", {}).items():
            assert spec.get("description"), f"{path}{key} has no description in the schema"
            if spec.get("type") == "object" and "properties" in spec:
                walk(spec, f"{path}{key}.")

    walk(schema, "")
    assert set(values) <= set(schema["properties"]), "a value the schema does not know"
    guide = (ROOT / "docs" / "operations.md").read_text()
    for key in values:
        assert f"`{key}" in guide, f"docs/operations.md does not document {key}"
