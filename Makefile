# sectorsim — `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SCENARIO ?= imvo_samen_veranderen
REPS   ?= 20

.PHONY: help install run test lint format docs figures screenshots clean app chromium reproduce bench design calibrate

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install sectorsim with its test tools

run: install  ## run the default scenario (SCENARIO=imvo_samen_veranderen, REPS=20) and write results/
	$(BIN)/sectorsim run $(SCENARIO) --reps $(REPS) --out results/$(SCENARIO)

test: install chromium  ## run the whole test suite (browser tests included)
	$(BIN)/pytest

app: install  ## serve the workshop app on http://127.0.0.1:8765 (PORT=...)
	$(BIN)/sectorsim app --port $(or $(PORT),8765)

chromium:  ## install Debian's Chromium for the browser tests, if missing (needs root)
	@command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: install  ## ruff lint and format check
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: install  ## apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

docs: install  ## regenerate the generated blocks of docs/ODD.md (parameters, mechanisms)
	$(BIN)/python -m sectorsim.docs docs/ODD.md

figures: install  ## regenerate the figures of docs/validation.md
	$(BIN)/python -m sectorsim.validation docs/figures

screenshots: install chromium  ## a workshop round (a facilitator, three participants) in Chromium, each view into docs/figures/room
	$(BIN)/python -m sectorsim.app.walkthrough docs/figures/room

bench: install chromium  ## speed against same-run references, and the app under load (QUICK=1: small)
	$(BIN)/python benchmarks/model_speed.py $(if $(QUICK),--quick)
	$(BIN)/python benchmarks/app_load.py $(if $(QUICK),--participants 5 --steps 4,--participants 30)

EXPERIMENTS := $(basename $(notdir $(wildcard experiments/e*.toml)))
DESIGN_OUT  := results/design_programme$(if $(QUICK),-quick)

design: install  ## search the cheapest programme for each chance of critical mass (QUICK=1: small)
	$(BIN)/sectorsim design experiments/design_programme.toml --out $(DESIGN_OUT) --resume \
		$(if $(QUICK),--quick)

CALIBRATION := results/calibration$(if $(QUICK),-quick)

calibrate: install  ## calibrate the behavioural parameters (ABC-SMC; QUICK=1: small); report in results/; the full run ships its posterior
	$(BIN)/sectorsim calibrate --out $(CALIBRATION) --resume $(if $(QUICK),--quick)
ifndef QUICK
	cp $(CALIBRATION)/posterior.parquet src/sectorsim/data/posterior.parquet
	cp $(CALIBRATION)/marginals.png docs/figures/calibration_posterior.png
	cp $(CALIBRATION)/pairs.png docs/figures/calibration_pairs.png
endif

reproduce: install calibrate design  ## rerun the calibration, E1-E5, the design search and every figure of docs/ (QUICK=1: small)
	@for e in $(EXPERIMENTS); do \
		out=results/$$e$(if $(QUICK),-quick); \
		$(BIN)/sectorsim sweep experiments/$$e.toml --out $$out --resume $(if $(QUICK),--quick) \
			&& $(BIN)/sectorsim analyze $$out || exit 1; \
	done
ifdef QUICK
	$(BIN)/python -m sectorsim.findings results results/findings-quick -quick
else
	$(BIN)/python -m sectorsim.validation docs/figures
	$(BIN)/python -m sectorsim.findings results docs/figures/worlds
	cp $(DESIGN_OUT)/front.parquet src/sectorsim/app/fronts/imvo_samen_veranderen.parquet
endif

clean:  ## remove the virtual environment and results
	rm -rf $(VENV) results
