"""study.wheel_install: wheels unpacked into the image's venv as a layer that repeats."""

import base64
import hashlib
import zipfile

import pytest

from mlpbench.study import layers, wheel_install


def make_wheel(folder, name="demo", version="1.0", code="VALUE = 1\n"):
    """A small valid wheel: a module, a console script, RECORD with hashes."""
    path = folder / f"{name}-{version}-py3-none-any.whl"
    dist = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    wheel = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files = {f"{name}/__init__.py": code.encode(), f"{dist}/METADATA": metadata.encode(),
             f"{dist}/WHEEL": wheel.encode(),
             f"{dist}/entry_points.txt": f"[console_scripts]\n{name} = {name}:main\n".encode()}
    record = ""
    for rel, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record += f"{rel},sha256={digest},{len(data)}\n"
    record += f"{dist}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as zf:
        for rel, data in {**files, f"{dist}/RECORD": record.encode()}.items():
            zf.writestr(rel, data)
    return path


def lock_for(wheel, name="demo", version="1.0"):
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    return f"{name}=={version} \\\n    --hash=sha256:{digest}\n    # via -r x.in\n"


def test_the_same_wheels_give_the_same_layer_without_bytecode(tmp_path):
    wheelhouse = tmp_path / "wheels"
    wheelhouse.mkdir()
    wheel = make_wheel(wheelhouse)
    (tmp_path / "x.lock").write_text(lock_for(wheel))
    diff_ids = []
    for stage in ("a", "b"):
        assert wheel_install.install_lock(tmp_path / "x.lock", wheelhouse,
                                          tmp_path / stage) == ["demo"]
        diff_ids.append(layers.write_layer(layers.from_tree(tmp_path / stage),
                                           tmp_path / f"{stage}.tar"))
    assert diff_ids[0] == diff_ids[1]
    site = tmp_path / "a" / wheel_install.SITE.lstrip("/")
    assert (site / "demo" / "__init__.py").read_text() == "VALUE = 1\n"
    assert not list((tmp_path / "a").rglob("*.pyc"))
    script = (tmp_path / "a" / "opt/venv/bin/demo").read_text()
    assert script.startswith("#!/opt/venv/bin/python")
    assert (site / "demo-1.0.dist-info" / "INSTALLER").read_text() == "mlpbench\n"


def test_a_wheel_the_lock_does_not_list_is_refused(tmp_path):
    wheelhouse = tmp_path / "wheels"
    wheelhouse.mkdir()
    wheel = make_wheel(wheelhouse)
    (tmp_path / "x.lock").write_text(lock_for(wheel).replace(
        hashlib.sha256(wheel.read_bytes()).hexdigest(), "0" * 64))
    with pytest.raises(ValueError, match="SHA-256 is not one"):
        wheel_install.install_lock(tmp_path / "x.lock", wheelhouse, tmp_path / "stage")
    (tmp_path / "x.lock").write_text(lock_for(wheel) + lock_for(wheel, "other", "2.0"))
    with pytest.raises(ValueError, match="no wheel .* for other"):
        wheel_install.install_lock(tmp_path / "x.lock", wheelhouse, tmp_path / "stage2")


def test_lock_hashes_reads_every_hash_of_a_pin():
    text = ("numpy==2.4.6 \\\n    --hash=sha256:" + "a" * 64 + " \\\n    --hash=sha256:"
            + "b" * 64 + "\n    # via -r cpu.in\nTyping_Extensions==4.16.0 \\\n"
            "    --hash=sha256:" + "c" * 64 + "\n")
    assert wheel_install.lock_hashes(text) == {
        "numpy": ("2.4.6", {"a" * 64, "b" * 64}), "typing-extensions": ("4.16.0", {"c" * 64})}
