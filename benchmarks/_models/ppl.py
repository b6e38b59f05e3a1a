"""The two probabilistic-programming regressions: log densities of a few small tensors.

They are already tiny (N=10 observations, K=10 covariates), so both sizes are the same.
"""

import torch
from torch import distributions as dist

from ._functional import Workload

N, K = 10, 10


def build_simple_reg(size, device):
    X = torch.rand(N, K + 1, device=device)
    Y = torch.rand(N, 1, device=device)
    beta_prior = dist.Normal(torch.tensor(0.0, device=device), torch.tensor(1.0, device=device))
    beta = beta_prior.sample((K + 1, 1)).requires_grad_(True)

    def forward(beta):
        # Y is a relaxed (non-binary) value, hence no argument validation.
        likelihood = dist.Bernoulli(logits=X.mm(beta), validate_args=False).log_prob(Y).sum()
        return likelihood + beta_prior.log_prob(beta).sum()

    return Workload(forward, (beta,), {"X": X, "Y": Y})


def build_robust_reg(size, device):
    X = torch.rand(N, K + 1, device=device)
    Y = torch.rand(N, 1, device=device)
    nu_prior = dist.Gamma(torch.rand(1, 1, device=device), torch.rand(1, 1, device=device))
    sigma_prior = dist.Exponential(torch.rand(N, 1, device=device))
    beta_prior = dist.Normal(torch.rand(K + 1, 1, device=device), torch.rand(K + 1, 1, device=device))
    nu = nu_prior.sample().requires_grad_(True)
    log_sigma = sigma_prior.sample().log().requires_grad_(True)
    beta = beta_prior.sample().requires_grad_(True)

    def forward(nu, log_sigma, beta):
        sigma = log_sigma.exp()
        mu = X.mm(beta)
        # One score per parameter, each with the shared likelihood, as the reference sums them.
        nu_score = dist.StudentT(nu, mu, sigma).log_prob(Y).sum() + nu_prior.log_prob(nu)
        sigma_score = dist.StudentT(nu, mu, sigma).log_prob(Y).sum() + sigma_prior.log_prob(sigma) + log_sigma
        beta_score = dist.StudentT(nu, mu, sigma).log_prob(Y).sum() + beta_prior.log_prob(beta)
        return nu_score.sum() + sigma_score.sum() + beta_score.sum()

    return Workload(forward, (nu, log_sigma, beta), {"X": X, "Y": Y})
