"""docker-compose.yml against the Compose Specification schema, and the deployment's own rules:
every service built or pulled, secrets only from the environment, healthchecks, start order."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCHEMA_FILE = Path(__file__).with_name("compose-spec.json")
ENV_EXAMPLE = ROOT / ".env.example"
PROJECT_SERVICES = ("actions", "api", "telegram")
SECRETS = ("TELEGRAM_BOT_TOKEN", "ELDERBOT_API_KEY")
_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


def command_text(service: dict[str, Any]) -> str:
    command = service.get("command") or []
    return command if isinstance(command, str) else " ".join(str(part) for part in command)


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any], validator: Any) -> None:
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


@pytest.mark.parametrize("damage", [
    lambda c: c["services"]["api"].update(helthcheck={"test": ["CMD", "true"]}),
    lambda c: c["services"]["redis"].update(ports="6379"),
    lambda c: c["services"]["rasa"]["depends_on"]["redis"].update(condition="service_ready"),
    lambda c: c["volumes"]["redis-data"].update(drive="local") if c["volumes"]["redis-data"] else
    c["volumes"].update({"redis-data": {"drive": "local"}}),
])
def test_the_schema_rejects_a_broken_file(compose: dict[str, Any], validator: Any, damage: Any) -> None:
    """The vendored schema really checks: a typo'd key, a wrong type, a bad enum value all fail."""
    broken = copy.deepcopy(compose)
    damage(broken)
    assert list(validator.iter_errors(broken))


def test_every_service_is_built_or_pulled(services: dict[str, dict[str, Any]]) -> None:
    assert {"rasa", "actions", "telegram", "api", "redis"} <= set(services)
    for name, service in services.items():
        assert service.get("build") or service.get("image"), name
    for name in PROJECT_SERVICES:
        assert services[name]["build"] in (".", {"context": "."}), name
    assert (ROOT / "Dockerfile").is_file()
    assert services["rasa"]["image"] == "rasa/rasa:3.6.21-full"
    assert services["redis"]["image"].startswith("redis:")


def test_services_run_the_project_commands(services: dict[str, dict[str, Any]]) -> None:
    from bot.channels.cli.main import build_parser

    assert command_text(services["api"]).startswith("elderbot serve --host 0.0.0.0")
    assert command_text(services["telegram"]) == "elderbot telegram"
    assert command_text(services["actions"]).startswith("python -m rasa_sdk --actions bot.channels.rasa.actions")
    parser = build_parser()
    for argv in (["serve", "--host", "0.0.0.0", "--port", "8000"], ["telegram"]):
        assert callable(parser.parse_args(argv).run)
    assert (ROOT / "bot" / "channels" / "rasa" / "actions.py").is_file()
    rasa = command_text(services["rasa"])
    for part in ("run", "--enable-api", "--credentials", "--endpoints"):
        assert part in rasa.split()


def test_rasa_is_trained_from_nlu_data_before_it_runs(services: dict[str, dict[str, Any]]) -> None:
    train, rasa = services["rasa-train"], services["rasa"]
    model = rasa["command"][rasa["command"].index("--model") + 1]
    assert "rasa train" in command_text(train) and f"test -f {model} ||" in command_text(train)
    assert f"--out {Path(model).parent}" in command_text(train)
    assert rasa["depends_on"]["rasa-train"]["condition"] == "service_completed_successfully"
    assert train.get("restart") == "no"
    for service in (train, rasa):
        assert f"./nlu_data:{service['working_dir']}:ro" in service["volumes"]
        assert any(v.startswith(f"rasa-models:{Path(model).parent}") for v in service["volumes"])
    for name in ("config.yml", "domain.yml", "credentials.yml", "data"):
        assert (ROOT / "nlu_data" / name).exists(), name


def test_rasa_uses_redis_tracker_and_lock_stores(services: dict[str, dict[str, Any]]) -> None:
    rasa = services["rasa"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in rasa["volumes"]}
    endpoints_arg = rasa["command"][rasa["command"].index("--endpoints") + 1]
    endpoints_file = ROOT / mounts[endpoints_arg]
    endpoints = yaml.safe_load(endpoints_file.read_text(encoding="utf-8"))
    assert endpoints["tracker_store"]["type"] == "redis"
    assert endpoints["lock_store"]["type"] == "redis"
    assert endpoints["tracker_store"]["db"] != endpoints["lock_store"]["db"]
    env = environment(rasa)
    lines = endpoints_file.read_text(encoding="utf-8").splitlines()
    for match in _REFERENCE.finditer("\n".join(line for line in lines if not line.lstrip().startswith("#"))):
        assert match["name"] in env, f"{match['name']} is used by {endpoints_file.name} but not set for rasa"
    assert env["REDIS_HOST"] == "redis"
    assert env["RASA_ACTION_ENDPOINT"].startswith("http://actions:5055/")


def test_no_secret_is_written_in_the_file(services: dict[str, dict[str, Any]]) -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert not re.search(r"\d{6,}:[A-Za-z0-9_-]{30,}", text), "looks like a Telegram bot token"
    for name, service in services.items():
        for key, value in environment(service).items():
            if re.search(r"TOKEN|KEY|SECRET|PASSWORD", key):
                reference = _REFERENCE.fullmatch(value)
                assert reference and reference["name"] == key, f"{name}.{key} must come from the environment"
                if service.get("profiles"):  # an opt-in service: its own process refuses to start without them
                    assert reference["op"] in (":?", ":-"), f"{name}.{key}"
                    continue
                assert reference["op"] == ":?", f"{name}.{key} must be required (${{{key}:?…}}), not defaulted"


def test_the_secrets_go_where_they_are_needed(services: dict[str, dict[str, Any]]) -> None:
    assert "ELDERBOT_API_KEY" in environment(services["api"])
    assert "TELEGRAM_BOT_TOKEN" in environment(services["telegram"])
    for name, service in services.items():
        env = environment(service)
        if name != "api":
            assert "ELDERBOT_API_KEY" not in env, name
        if name != "telegram":
            assert "TELEGRAM_BOT_TOKEN" not in env, name


def test_env_example_documents_every_variable_without_values_for_secrets(compose: dict[str, Any]) -> None:
    example = env_example()
    for name in SECRETS:
        assert example[name] == "", f"{name} must be empty in .env.example"
    assert example["REDIS_URL"] == "redis://redis:6379/0"
    assert example["ELDERBOT_BACKEND"] == "rasa"
    assert example["RASA_URL"] == "http://rasa:5005"
    assert "HF_ENDPOINT" in ENV_EXAMPLE.read_text(encoding="utf-8")
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for match in _REFERENCE.finditer(text):
        if match["op"] in (":?", "?"):
            assert match["name"] in example, f"required {match['name']} is missing from .env.example"
        elif match["op"] is None:
            assert match["name"] in example, f"{match['name']} has no default and is not in .env.example"


def test_bot_and_api_talk_to_the_rasa_and_redis_services(services: dict[str, dict[str, Any]]) -> None:
    rasa_port = services["rasa"]["command"][services["rasa"]["command"].index("--port") + 1]
    for name in ("api", "telegram"):
        env = environment(services[name])
        assert env["ELDERBOT_BACKEND"].endswith("rasa}")
        assert env["RASA_URL"].endswith(f"http://rasa:{rasa_port}}}")
        assert env["REDIS_URL"].endswith("redis://redis:6379/0}")


def test_healthchecks(services: dict[str, dict[str, Any]]) -> None:
    checks = {name: " ".join(service["healthcheck"]["test"]) for name, service in services.items()
              if "healthcheck" in service}
    assert "redis-cli ping" in checks["redis"]
    assert "127.0.0.1:8000/healthz" in checks["api"]
    assert re.search(r"127\.0\.0\.1:5005/'", checks["rasa"])
    assert "127.0.0.1:5055/health" in checks["actions"]
    for name, service in services.items():
        if service.get("restart") != "no":
            assert name in checks, f"long-running service {name} has no healthcheck"
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name


def test_start_order(services: dict[str, dict[str, Any]]) -> None:
    def wanted(name: str) -> dict[str, str]:
        return {dep: spec["condition"] for dep, spec in (services[name].get("depends_on") or {}).items()}

    for name in services:
        for dependency, condition in wanted(name).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits for {dependency} health it never reports"
    for name in ("api", "telegram"):
        assert wanted(name) == {"rasa": "service_healthy", "redis": "service_healthy"}
    assert wanted("rasa")["redis"] == "service_healthy"
    assert wanted("rasa")["actions"] == "service_healthy"

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"dependency cycle: {' → '.join((*path, name))}"
        for dependency in wanted(name):
            visit(dependency, (*path, name))

    for name in services:
        visit(name, ())


def test_published_ports_only_for_the_api(services: dict[str, dict[str, Any]]) -> None:
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"api", "wechat"}, "only the API and the WeChat server (which WeChat must reach) listen"
    assert services["wechat"].get("profiles") == ["wechat"], "the WeChat server is opt-in"


def test_dockerfile_builds_the_image_the_brief_describes() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    text = "\n".join(lines)
    assert lines[[line.startswith("FROM") for line in lines].index(True)] == "FROM python:3.11-slim"
    assert re.search(r"apt-get install[^\n]*espeak-ng ffmpeg", text)
    torch = text.index('pip install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu')
    project = text.index('pip install -e ".[all]"')
    index = text.index("RUN elderbot index")
    assert torch < project < index
    for line in lines:
        if line.startswith("COPY"):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
    assert "USER elderbot" in lines


def test_dockerignore_keeps_what_the_image_copies() -> None:
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    for needed in ("bot", "knowledge", "voice", "nlu_data", "pyproject.toml", "README.md"):
        assert needed not in ignored
    for secret_or_bulk in (".git", ".env", ".rasa-env", "nlu_data/models"):
        assert secret_or_bulk in ignored


def _compose_binary() -> list[str] | None:
    if found := shutil.which("docker-compose"):
        return [found]
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    return None


def test_docker_compose_itself_accepts_the_file(tmp_path: Path) -> None:
    """Where Docker Compose is installed, its own parser agrees (no engine is needed for `config`)."""
    binary = _compose_binary()
    if binary is None:
        pytest.skip("docker compose is not installed; the schema test above covers the file")
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(tmp_path)}
    base = [*binary, "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE), "--env-file", "/dev/null",
            "config", "--quiet"]
    missing = subprocess.run(base, capture_output=True, text=True, env=env)
    assert missing.returncode != 0 and "ELDERBOT_API_KEY" in missing.stderr + missing.stdout
    filled = subprocess.run(base, capture_output=True, text=True,
                            env={**env, "ELDERBOT_API_KEY": "k", "TELEGRAM_BOT_TOKEN": "1:t"})
    assert filled.returncode == 0, filled.stderr
