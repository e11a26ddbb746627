# The container images (docker/Dockerfile, mlpbench.study.images.IMAGES): a base (the registry's,
# or one built from Debian's archive), a wheelhouse per hashed lock downloaded on the host, then
# an offline build that passes the image's test stage. The torch image is built only for a
# study with a torch implementation (bench_image asks images.image_for). Each image is described by results/images/{image}.json (image
# ID, base, build args, lock hash), which the timed runs read for MLPBENCH_IMAGE_DIGEST.
# Image builds take the timing slot: they never overlap a timed run.
# config: `images: {base: auto | registry | debootstrap}` (auto tries the registry first).


rule image_base:
    output:
        paths.IMAGE.format(image="base"),
    log:
        "logs/images/base.log",
    resources:
        timing_slot=1,
        cpus_per_task=2,
        mem_mb=2000,
        runtime=30,
    params:
        mode=image_base_mode(),
        repo=REPO,
    script:
        "../scripts/image_base.py"


rule image_wheelhouse:
    input:
        lock=f"{REPO}/envs/{{lock}}.lock",
    output:
        directory(paths.WHEELHOUSE),
    log:
        "logs/images/wheelhouse_{lock}.log",
    wildcard_constraints:
        lock="|".join(images.LOCKS),
    resources:
        timing_slot=1,
        cpus_per_task=1,
        mem_mb=2000,
        runtime=60,
    script:
        "../scripts/wheelhouse.py"


# Rebuilt when the Dockerfile, a lock or the base change, and when a module that
# `mlpbench run` imports changes (PACKAGE_SOURCES: an image must not run stale code; Docker's
# layer cache then redoes only the last layers, seconds for the CPU image).
rule image:
    input:
        dockerfile=f"{REPO}/docker/Dockerfile",
        locks=image_locks,
        wheelhouses=image_wheelhouses,
        base=paths.IMAGE.format(image="base"),
        data=DATA,
        src=PACKAGE_SOURCES,
    output:
        record=paths.IMAGE,
        archive=paths.IMAGE_ARCHIVE,  # on the shared file system: nodes without it load it
    log:
        "logs/images/{image}.log",
    wildcard_constraints:
        image="|".join(images.IMAGES),
    resources:
        timing_slot=1,
        cpus_per_task=2,
        mem_mb=8000,
        runtime=90,
    script:
        "../scripts/image.py"
