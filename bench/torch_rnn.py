"""PyTorch nn.RNN (tanh) + Linear + cross-entropy at the sizes of bench/_core_work.ts, float32,
one thread, timed per TBPTT window (forward k, backward k with a loss at every step, update).

    python3 bench/torch_rnn.py SECONDS      # prints one JSON line per workload

B1: n_x = n_y = 65 (one-hot tokens), n_a = 100, m = 1, k = 25, Adagrad (lr 0.1) with gradients clipped to ±5.
B2: n_x = n_y = 128 (dense normal inputs), n_a = 256, m = 32, k = 32, SGD (lr 0.01).
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0


def workload(name, nx, na, ny, m, k, tokens, make_opt, clip):
    rnn = torch.nn.RNN(nx, na, nonlinearity="tanh")
    head = torch.nn.Linear(na, ny)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = make_opt(params)
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
    windows = 4
    if tokens:
        ids = torch.randint(nx, (windows, k, m))
        xs = torch.nn.functional.one_hot(ids, nx).float()
    else:
        xs = torch.randn(windows, k, m, nx)
    ys = torch.randint(ny, (windows, k, m))
    h = torch.zeros(1, m, na)
    state = {"w": 0, "h": h}

    def run():
        w = state["w"]
        opt.zero_grad(set_to_none=False)
        out, hn = rnn(xs[w], state["h"])
        logits = head(out)
        loss = loss_fn(logits.reshape(k * m, ny), ys[w].reshape(k * m))
        loss.backward()
        if clip is not None:
            for p in params:
                p.grad.clamp_(-clip, clip)
        opt.step()
        state["h"] = hn.detach()
        state["w"] = (w + 1) % windows

    warm = time.perf_counter() + min(1.5, SECONDS / 4)
    while time.perf_counter() < warm:
        run()
    slices = []
    start = time.perf_counter()
    while time.perf_counter() - start < SECONDS or len(slices) < 5:
        t0 = time.perf_counter()
        n = 0
        t1 = t0
        while t1 - t0 < 0.1:
            run()
            n += 1
            t1 = time.perf_counter()
        slices.append((t1 - t0) / n)
    slices.sort()
    ms = slices[len(slices) // 2] * 1000
    print(json.dumps({"bench": name, "ms": ms, "best_ms": slices[0] * 1000, "steps": k * 1000 / ms,
                      "best_steps": k / slices[0], "threads": torch.get_num_threads(),
                      "torch": torch.__version__}), flush=True)


workload("B1", 65, 100, 65, 1, 25, True, lambda p: torch.optim.Adagrad(p, lr=0.1), 5.0)
workload("B2", 128, 256, 128, 32, 32, False, lambda p: torch.optim.SGD(p, lr=0.01), None)
