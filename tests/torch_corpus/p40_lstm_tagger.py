"""Sequence models and LSTMs (tutorial): nn.LSTM stepping one input at a time with a
(h, c) hidden tuple, the same sequence in one call, batch_first, and an LSTMTagger of
nn.Embedding, nn.LSTM and nn.Linear trained with NLLLoss to tag its sentences."""

# ruff: noqa: B007, B905, E721, UP031, UP032 - written the way tutorials write PyTorch

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

rng = np.random.default_rng(0)
lstm = nn.LSTM(3, 3)
with torch.no_grad():
    for name, p in lstm.named_parameters():
        p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 0.5))
inputs = [torch.from_numpy(rng.standard_normal((1, 3)).astype(np.float32)) for _ in range(5)]
start_hidden = (
    torch.from_numpy(rng.standard_normal((1, 1, 3)).astype(np.float32)),
    torch.from_numpy(rng.standard_normal((1, 1, 3)).astype(np.float32)),
)
hidden = start_hidden
for i in inputs:
    out, hidden = lstm(i.view(1, 1, -1), hidden)
step_out, step_hidden = out, hidden

seq = torch.cat(inputs).view(len(inputs), 1, -1)
all_out, all_hidden = lstm(seq, start_hidden)
assert torch.allclose(all_out[-1], step_out[0], atol=1e-6)

batch_first = nn.LSTM(3, 4, num_layers=2, batch_first=True)
bf_out, (bf_h, bf_c) = batch_first(torch.zeros(2, 5, 3))
assert bf_out.shape == (2, 5, 4) and bf_h.shape == (2, 2, 4) and bf_c.shape == (2, 2, 4)
gru_out, gru_h = nn.GRU(3, 4, batch_first=True)(torch.zeros(2, 5, 3))
rnn_out, rnn_h = nn.RNN(3, 4)(torch.zeros(5, 2, 3))
assert gru_out.shape == (2, 5, 4) and rnn_out.shape == (5, 2, 4) and rnn_h.shape == (1, 2, 4)


def prepare_sequence(seq, to_ix):
    idxs = [to_ix[w] for w in seq]
    return torch.tensor(idxs, dtype=torch.long)


training_data = [
    ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("Everybody read that book".split(), ["NN", "V", "DET", "NN"]),
]
word_to_ix = {}
for sent, tags in training_data:
    for word in sent:
        if word not in word_to_ix:
            word_to_ix[word] = len(word_to_ix)
tag_to_ix = {"DET": 0, "NN": 1, "V": 2}
EMBEDDING_DIM = 6
HIDDEN_DIM = 6


class LSTMTagger(nn.Module):
    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        tag_scores = F.log_softmax(tag_space, dim=1)
        return tag_scores


torch.manual_seed(1)
model = LSTMTagger(EMBEDDING_DIM, HIDDEN_DIM, len(word_to_ix), len(tag_to_ix))
loss_function = nn.NLLLoss()
optimizer = optim.SGD(model.parameters(), lr=0.2)

with torch.no_grad():
    inputs = prepare_sequence(training_data[0][0], word_to_ix)
    tag_scores = model(inputs)
    print(tag_scores)

for epoch in range(200):
    for sentence, tags in training_data:
        model.zero_grad()
        sentence_in = prepare_sequence(sentence, word_to_ix)
        targets = prepare_sequence(tags, tag_to_ix)
        tag_scores = model(sentence_in)
        loss = loss_function(tag_scores, targets)
        loss.backward()
        optimizer.step()

with torch.no_grad():
    for sentence, tags in training_data:
        tag_scores = model(prepare_sequence(sentence, word_to_ix))
        assert tag_scores.argmax(dim=1).tolist() == [tag_to_ix[t] for t in tags], tag_scores

results = {
    "step_out": step_out, "step_h": step_hidden[0], "step_c": step_hidden[1], "all_out": all_out,
    "all_h": all_hidden[0], "param_names": [name for name, _ in lstm.named_parameters()],
}  # fmt: skip
