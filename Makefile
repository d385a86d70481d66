# Two commands do all the set-up on a fresh machine: `make test` and `make demo`.
VENV ?= .venv
PYTHON := $(VENV)/bin/python

.PHONY: install test demo lint bench benchmark clean

install:
	bash tools/install.sh

# Two pytest-xdist workers with one thread each (2-core machines); --dist loadfile keeps a file's tests, and so its
# module-scoped fixtures, on one worker. PYTEST_ARGS adds options: make test PYTEST_ARGS='-m "not slow"'.
PYTEST_WORKERS ?= 2
test: install
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PYTHON) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The one-command demo: data, teacher (trained once, then kept), plain and distilled students over three seeds, two
# trainings at a time; table, predictions and curves in results/demo.{md,json}, results/demo_{predictions,curves}.png.
DEMO_CONFIG ?= configs/distillers/digits/demo_cwd_cspnext_s_to_tiny_fpn_digits.py

demo: install
	$(PYTHON) tools/demo.py $(DEMO_CONFIG)

# Step-time benchmark (about 15 minutes on 2 CPU cores; also AMP figures on a CUDA machine): results/step_time.md.
YOLO_TEACHER := $(if $(wildcard pretrained_model/yolov8s_digits.pt),,--yolo-teacher yolov8s.yaml)
BENCH := $(PYTHON) tools/benchmark/step_time.py --threads 1 --repeats 10 --warmup 2

bench: install
	$(BENCH) configs/distillers/cwd_pspnet_r101_to_r18_cityscapes.py --img-size 128 --batch-size 2
	$(BENCH) configs/distillers/cwd_retinanet_r101_to_r50_coco.py --img-size 256 --batch-size 2
	$(BENCH) configs/distillers/yolo/cwd_yolov8s_to_yolov8n_digits.py --img-size 128 --batch-size 16 $(YOLO_TEACHER)

# Efficacy benchmark: teacher, plain student and every distillation method over three seeds, for YOLO, mmdet and
# mmseg on the embedded data: results/efficacy.{md,json}. Teachers are trained once and kept under pretrained_model/;
# finished runs are kept under results/efficacy/ and skipped, so an interrupted run resumes. The mm suites train
# JOBS students at a time with one thread each (2: both cores of a 2-core machine). See the README for its duration.
SUITES ?= configs/benchmark/efficacy_yolo.py configs/benchmark/efficacy_mmdet.py configs/benchmark/efficacy_mmseg.py
JOBS ?= 2

benchmark: install
	$(PYTHON) tools/benchmark/efficacy.py $(SUITES) --jobs $(JOBS)

lint: install
	$(PYTHON) -m flake8 distiller tools tests

clean:
	rm -rf $(VENV) .pytest_cache work_dirs
