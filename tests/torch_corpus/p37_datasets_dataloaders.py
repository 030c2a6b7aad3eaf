"""Datasets and DataLoaders (tutorial): a map-style Dataset returning dicts, default collation
of dicts, tuples and numbers, a custom collate_fn padding sequences, Subset, random_split with
a seeded Generator, ConcatDataset, drop_last, len(loader), iter/next."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import torch
from torch.utils.data import ConcatDataset, DataLoader, Dataset, Subset, TensorDataset, random_split


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, idx):
        x = torch.tensor([float(idx), float(idx) ** 2])
        return {"x": x, "label": idx % 3, "weight": 0.5 * idx}


ds = Squares(10)
loader = DataLoader(ds, batch_size=4)
batches = list(loader)
assert len(loader) == 3 and len(batches) == 3
first = batches[0]
assert set(first) == {"x", "label", "weight"}
assert first["x"].shape == (4, 2) and first["label"].dtype == torch.int64
assert first["weight"].dtype == torch.float64

pairs = TensorDataset(torch.arange(10.0).view(10, 1), torch.arange(10))
dl = DataLoader(pairs, batch_size=3, drop_last=True)
assert len(dl) == 3
xb, yb = next(iter(dl))

sub = Subset(pairs, [1, 3, 5])
sub_items = [sub[i][1].item() for i in range(len(sub))]

generator = torch.Generator().manual_seed(42)
train_set, val_set = random_split(pairs, [7, 3], generator=generator)
train_idx = sorted(int(train_set[i][1]) for i in range(len(train_set)))
val_idx = sorted(int(val_set[i][1]) for i in range(len(val_set)))
assert len(train_set) == 7 and sorted(train_idx + val_idx) == list(range(10))
again = random_split(pairs, [7, 3], generator=torch.Generator().manual_seed(42))
assert sorted(int(again[1][i][1]) for i in range(3)) == val_idx

both = ConcatDataset([pairs, Subset(pairs, [0, 1])])
assert len(both) == 12 and int(both[11][1]) == 1


class Sentences(Dataset):
    def __init__(self):
        self.data = [[1, 2, 3], [4, 5], [6], [7, 8, 9, 10]]

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        return torch.tensor(self.data[i]), len(self.data[i])


def pad_collate(batch):
    seqs, lengths = zip(*batch)
    longest = max(lengths)
    padded = torch.zeros(len(seqs), longest, dtype=torch.long)
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    return padded, torch.tensor(lengths)


padded_batches = list(DataLoader(Sentences(), batch_size=2, collate_fn=pad_collate))

shuffled = DataLoader(pairs, batch_size=5, shuffle=True, generator=torch.Generator().manual_seed(0))
seen = torch.cat([yb for _, yb in shuffled])
assert sorted(seen.tolist()) == list(range(10))

results = {
    "first_x": first["x"], "first_label": first["label"], "first_weight": first["weight"],
    "last_x": batches[-1]["x"], "xb": xb, "yb": yb, "sub_items": sub_items,
    "padded": [list(b) for b in padded_batches],
}  # fmt: skip
