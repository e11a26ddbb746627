# The container images (mlpbench.study.images.IMAGES), built without a Docker daemon so that
# the same inputs give the same image ID: a Debian base by mmdebstrap (its package list checked
# against envs/{base}.packages.txt), a wheelhouse per hashed lock downloaded on the host, then
# the layers and the archive, loaded into Docker for the image's test stage. Each image is
# described by results/images/{image}.json (image ID, layers, base, inputs), which the timed
# runs read for MLPBENCH_IMAGE_DIGEST. Image builds take the timing slot: they never overlap a
# timed run. config: `images: {mmdebstrap_mode: auto | root | unshare}`.


rule image_base:
    input:
        packages=f"{REPO}/envs/{{base}}.packages.txt",
    output:
        tar=paths.BASE,
        record=paths.BASE_RECORD,
    log:
        "logs/images/base_{base}.log",
    wildcard_constraints:
        base="|".join(rootfs.BASES),
    resources:
        timing_slot=1,
        cpus_per_task=2,
        mem_mb=2000,
        runtime=30,
    params:
        mode=config["images"]["mmdebstrap_mode"],
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


# Rebuilt when the base, a lock or a module that `mlpbench run` imports changes
# (PACKAGE_SOURCES: an image must not run stale code).
rule image:
    input:
        locks=image_locks,
        wheelhouses=image_wheelhouses,
        base=image_base,
        base_record=image_base_record,
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
    params:
        runtime="podman" if config["runner"] == "podman" else "docker",  # loads, tests it
    script:
        "../scripts/image.py"
