# Generates examples/host_arith.act and tests/programs/torch/host_arith.py (run from the
# repository root: `~/peers/bin/python tools/host_arith_gen.py`), then write the
# reference output with `~/peers/bin/python tests/programs/torch/host_arith.py`.
ints = [7, -7, 3, -3, 0]
floats = [7.5, -7.5, 0.3, -2.0, 1e300]
act = ['# Python arithmetic on run-time numbers, checked against CPython: every operator',
       '# and builtin over ints and floats with both signs (generated; the PyTorch twin',
       '# is tests/programs/torch/host_arith.py).', '',
       'iv = tensor([%s]).long()' % ", ".join(str(i) for i in ints),
       'fv = tensor([%s], dtype=f64)' % ", ".join(repr(f) for f in floats)]
py = ['# Python arithmetic on run-time numbers, checked against CPython: every operator',
      '# and builtin over ints and floats with both signs (generated; the .act twin',
      '# is examples/host_arith.act).', 'import torch', '',
      'iv = torch.tensor([%s]).long()' % ", ".join(str(i) for i in ints),
      'fv = torch.tensor([%s], dtype=torch.float64)' % ", ".join(repr(f) for f in floats)]
for k in range(len(ints)):
    for src in (act, py):
        src.append(f'i{k} = iv[{k}].item()')
        src.append(f'f{k} = fv[{k}].item()')
lines = []
for a in range(len(ints)):
    for b in range(len(ints)):
        if ints[b] == 0:
            continue
        ops = [f'i{a} / i{b}', f'i{a} // i{b}', f'i{a} % i{b}', f'max(i{a}, i{b})']
        lines.append('print(' + ', '.join(ops) + ')')
for a in range(len(floats)):
    for b in range(len(floats) - 1):
        ops = [f'f{a} / f{b}', f'f{a} // f{b}', f'f{a} % f{b}', f'f{a} >= f{b}']
        lines.append('print(' + ', '.join(ops) + ')')
for a in range(len(floats)):
    b = a % len(ints)
    ops = [f'f{a} + i{b}', f'i{b} - f{a}', f'round(f{a})' if abs(floats[a]) < 1e100 else f'f{a}', f'int(f{a})' if abs(floats[a]) < 1e18 else f'f{a}',
           f'abs(f{a})', f'-f{a}', f'f{a} ** 2' if abs(floats[a]) < 1e100 else f'f{a}', f'i{b} ** 3', f'float(i{b})', f'i{b} != f{a}', f'i{b} * 2.5']
    lines.append('print(' + ', '.join(ops) + ')')
    lines.append(f'print(f"{{f{a}:.3f}} {{f{a}:g}} {{f{a}:.2e}} {{i{b}:+05d}} {{f{a}:>+12.4}}")')
act += lines
py += lines
open('examples/host_arith.act', 'w').write("\n".join(act) + "\n")
open('tests/programs/torch/host_arith.py', 'w').write("\n".join(py) + "\n")
