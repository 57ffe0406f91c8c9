tar -xf venv-fedora.tar.zst -C /
export VIRTUAL_ENV=/builds/software/venv
export PATH=/builds/software/venv/bin:"$PATH"
