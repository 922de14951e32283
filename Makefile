# make book | make test | make bench | make lint   (each creates .venv on first use)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt
# matplotlib's font cache lives with the environment, built once at install: a stale or half-written cache
# in the user's home would make figures print font warnings to stderr, which strict nbval rejects.
export MPLCONFIGDIR := $(CURDIR)/$(VENV)/matplotlib
WARM   := $(BIN)/python -c "import matplotlib.font_manager"

.PHONY: book test bench lint deps clean lock notebooks exercises grade

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed (nbgrader 0.9.6 requires it); set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

$(VENV)/.book: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e ".[book]"
	$(WARM)
	@touch $@

$(VENV)/.test: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e ".[book,course,test]"
	$(WARM)
	@touch $@ $(VENV)/.book

deps: $(VENV)/.test

book: $(VENV)/.book
	$(BIN)/jupyter-book build . -W -n --keep-going

test: $(VENV)/.test
	$(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-sanitize-with chapters/sanitize.cfg tests chapters

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.test
	$(BIN)/python bench/run.py

# Every page's source is a MyST Markdown notebook (chapters/NN_*.md, solutions/<a>/<a>.md), paired by jupytext
# with the .ipynb beside it (see chapters/jupytext.toml). `jupytext --sync` copies the inputs of whichever file of
# a pair was saved last into the other (outputs stay in the .ipynb), so an edit made as text or in JupyterLab
# is never lost. Then:
# make notebooks [PAGES=chapters/03_lstm.md]: re-execute the chapters in place (outputs committed, checked by nbval).
PAGES ?= $(wildcard chapters/[0-9]*.md)
notebooks: $(VENV)/.test
	$(BIN)/jupytext --sync $(PAGES)
	$(BIN)/python -m bookbuild.execute $(PAGES:.md=.ipynb)
	@# the outputs are newer but the inputs are not: keep each source the newer file, or JupyterLab refuses the pair
	touch $(PAGES)

# make exercises: regenerate the student notebooks in exercises/ from solutions/ with nbgrader.
exercises: $(VENV)/.test
	$(BIN)/jupytext --sync solutions/*/*.md
	$(BIN)/python -m coursegrader release

# Grade a class: make grade ASSIGNMENT=gru_gates SUBMISSIONS=path/to/folder-or.zip [DUE=2026-12-10T23:59 LATE_PENALTY=10%/day]
# On a Dask cluster instead of this machine: SCHEDULER=tcp://host:8786 (see instructors.md, "Grading at scale").
grade: $(VENV)/.test
	$(BIN)/python -m coursegrader grade --assignment "$(ASSIGNMENT)" --submissions "$(SUBMISSIONS)" $(if $(SCHEDULER),--scheduler "$(SCHEDULER)") $(if $(RESTART),--restart) $(if $(DASHBOARD),--dashboard) $(if $(UNSANDBOXED),--unsandboxed) $(if $(MEMORY_LIMIT),--memory-limit $(MEMORY_LIMIT)) $(if $(DUE),--due "$(DUE)") $(if $(LATE_PENALTY),--late-penalty "$(LATE_PENALTY)")

lock: $(VENV)/.test
	{ head -2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -viE '^(torch|nvidia|triton|sympy|mpmath|networkx|filelock)=='; } > constraints.tmp && mv constraints.tmp constraints.txt

clean:
	rm -rf _build .pytest_cache
