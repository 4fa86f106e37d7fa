"""Dense and LRU students of the multi-dimensional teacher, trained by BPTT (theory guide :ref:`memory-multidim`, :ref:`memory-simulation-plan`, :ref:`gallery-memory-f5`, :ref:`gallery-memory-f8`; Zucchet & Orvieto (2024)).

Students map one white-noise input to one output, ``ŷ_t = readout(h_t) + D x_t``:

* ``"dense"``: ``h_t = A h_{t-1} + B x_t``, ``ŷ_t = C·h_t + D x_t`` (real; ``A`` initialised with
  eigenvalue moduli in ``[ν_0, 1)`` like the teacher);
* ``"lru"``: complex diagonal ``h_t = λ ⊙ h_{t-1} + γ ⊙ b x_t``, ``ŷ_t = Re(c·h_t) + D x_t`` with
  ``λ = exp(-e^ω + iθ)`` (exp parametrisation of the modulus) and the input normalisation
  ``γ = sqrt(1-|λ_0|²)`` fixed at initialisation (:ref:`memory-reparametrisation`: "γ held fixed");
  eigenvalues initialised uniformly on the annulus ``[ν_0, 1)`` (:ref:`bptt-initialisers` ring initialiser).

Loss ``½ mean_{b,t} (ŷ_t - y_t)²`` against the teacher's outputs on the same inputs (``h_0 = 0``).
Parameters live in one flat real vector; gradients are hand-written BPTT, checked against
finite differences in the tests.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_float_array, check_choice, check_int, check_positive_float, check_seed
from ..optim import Adam, Cosine, check_optimiser
from .multidim import Teacher, make_teacher

__all__ = ["STUDENTS", "Student", "StudentRun", "init_student", "student_loss_and_grad", "student_point", "teacher_outputs",
           "train_student"]

STUDENTS = ("dense", "lru")


@dataclass(frozen=True)
class Student:
    """A student's kind, hidden size, flat parameters and fixed constants (``gamma`` for the LRU) (:ref:`memory-multidim`).

    Attributes
    ----------
    kind : {"dense", "lru"}
    d_h : int
        Hidden size ``d``.
    theta : ndarray, shape (d² + 2d + 1,) (dense) or (6d + 1,) (LRU)
        Flat parameters: ``A`` (row-major), ``B``, ``C``, ``D`` for the dense student;
        ``ω``, ``θ``, ``Re b``, ``Im b``, ``Re c``, ``Im c``, ``D`` for the LRU.
    gamma : ndarray, shape (d,), or None
        The LRU's fixed input normalisation (``None`` for the dense student).

    Examples
    --------
    >>> from lrnn_theory.memory.students import init_student
    >>> s = init_student("lru", 3)
    >>> s.theta.shape, s.gamma.shape, sorted(s.unpack())
    ((19,), (3,), ['D', 'b', 'c', 'omega', 'phase'])
    """

    kind: str
    d_h: int
    theta: np.ndarray
    gamma: np.ndarray | None = None

    def unpack(self, theta=None) -> dict:
        """Named views of the flat parameter vector."""
        th = self.theta if theta is None else theta
        d = self.d_h
        if self.kind == "dense":
            return {"A": th[: d * d].reshape(d, d), "B": th[d * d: d * d + d], "C": th[d * d + d: d * d + 2 * d], "D": th[-1]}
        return {"omega": th[:d], "phase": th[d: 2 * d], "b": th[2 * d: 3 * d] + 1j * th[3 * d: 4 * d],
                "c": th[4 * d: 5 * d] + 1j * th[5 * d: 6 * d], "D": th[-1]}


def init_student(kind: str, d_h: int, *, nu0: float = 0.9, seed: int = 0) -> Student:
    """Initial student: dense with eigenvalue moduli in ``[ν_0, 1)``, or LRU ring ``[ν_0, 1)`` with ``γ`` fixed (:ref:`memory-multidim`).

    Parameters
    ----------
    kind : {"dense", "lru"}
    d_h : int >= 1
        Hidden size.
    nu0 : float in (0, 1)
        Smallest eigenvalue modulus at initialisation.
    seed : int

    Returns
    -------
    Student

    Raises
    ------
    TypeError
        A non-string ``kind``, non-numeric ``nu0``, or a non-integer ``d_h`` or ``seed``.
    ValueError
        An unknown ``kind``, ``d_h < 1``, ``nu0 ∉ (0, 1)`` or a negative ``seed``.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory.students import init_student
    >>> s = init_student("dense", 3, nu0=0.9)
    >>> s.theta.shape, s.gamma is None
    ((16,), True)
    >>> bool(np.all(np.abs(np.linalg.eigvals(s.unpack()["A"])) >= 0.9 - 1e-12))
    True
    """
    kind = check_choice("kind", kind, STUDENTS)
    d_h = check_int("d_h", d_h, minimum=1)
    nu0 = check_positive_float("nu0", nu0)
    if nu0 >= 1:
        raise ValueError(f"nu0 must be in (0, 1), got {nu0!r}")
    seed = check_seed("seed", seed)
    rng = np.random.default_rng([seed, 7])
    if kind == "dense":
        t = make_teacher(d_h, nu_min=nu0, nu_max=1.0, seed=seed)
        theta = np.concatenate([t.A.ravel(), rng.normal(size=d_h) / np.sqrt(d_h), rng.normal(size=d_h) / np.sqrt(d_h), [0.0]])
        return Student(kind, d_h, theta)
    from ..sim.init import lru_ring

    lam = lru_ring(d_h, nu0, 0.999, np.pi, seed=seed)
    b = (rng.normal(size=d_h) + 1j * rng.normal(size=d_h)) / np.sqrt(2)
    c = (rng.normal(size=d_h) + 1j * rng.normal(size=d_h)) / np.sqrt(d_h)
    theta = np.concatenate([np.log(-np.log(np.abs(lam))), np.angle(lam), b.real, b.imag, c.real, c.imag, [0.0]])
    return Student(kind, d_h, theta, gamma=np.sqrt(1 - np.abs(lam) ** 2))


def teacher_outputs(teacher: Teacher, X) -> np.ndarray:
    """Teacher outputs ``y_t = C h_t + D x_t`` for inputs ``X`` (batch, T), ``h_0 = 0`` (:ref:`memory-multidim`).

    Parameters
    ----------
    teacher : Teacher
    X : array_like, shape (batch, T)

    Returns
    -------
    ndarray, shape (batch, T)

    Raises
    ------
    TypeError, ValueError
        ``X`` not a finite 2-D array of numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory.students import teacher_outputs
    >>> from lrnn_theory.memory import impulse_response, make_teacher
    >>> t = make_teacher(3, seed=0)
    >>> y = teacher_outputs(t, [[1.0, 0.0, 0.0, 0.0]])  # an impulse at t = 1: y_t = w_{t-1} + D δ_{t1}
    >>> bool(np.allclose(y[0], impulse_response(t.A, t.B, t.C, 4) + t.D * np.array([1, 0, 0, 0])))
    True
    """
    X = as_float_array("X", X, ndim=2)
    h = np.zeros((X.shape[0], teacher.A.shape[0]))
    out = np.empty_like(X)
    for t in range(X.shape[1]):
        h = h @ teacher.A.T + np.outer(X[:, t], teacher.B)
        out[:, t] = h @ teacher.C + teacher.D * X[:, t]
    return out


def student_loss_and_grad(student: Student, X, Y, theta=None) -> tuple[float, np.ndarray]:
    """``L = ½ mean (ŷ - y)²`` and ``∂L/∂θ`` (flat) by BPTT; ``X, Y`` of shape (batch, T) (:ref:`memory-multidim`).

    Parameters
    ----------
    student : Student
    X, Y : array_like, shape (batch, T)
        Inputs and target outputs.
    theta : ndarray, optional
        Flat parameters to evaluate at (default ``student.theta``), shape of ``student.theta``.

    Returns
    -------
    loss : float
    grad : ndarray, shape of ``theta``

    Raises
    ------
    TypeError
        ``student`` not a :class:`Student`, or non-numeric ``X``/``Y``/``theta``.
    ValueError
        ``X``/``Y`` not 2-D of one shape, or with non-finite values; ``theta`` not 1-D with the
        student's number of parameters, or not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory.students import init_student, student_loss_and_grad
    >>> s = init_student("lru", 2)
    >>> X = np.random.default_rng(0).standard_normal((2, 4))
    >>> Y = np.zeros((2, 4))
    >>> loss, g = student_loss_and_grad(s, X, Y)
    >>> e = np.zeros_like(s.theta); e[0] = 1e-6  # central difference in ω_1
    >>> fd = (student_loss_and_grad(s, X, Y, s.theta + e)[0] - student_loss_and_grad(s, X, Y, s.theta - e)[0]) / 2e-6
    >>> g.shape, bool(np.isclose(g[0], fd, rtol=1e-5, atol=1e-10))
    ((13,), True)
    """
    if not isinstance(student, Student):
        raise TypeError(f"student must be a Student, got {type(student).__name__}")
    X = as_float_array("X", X, ndim=2)
    Y = as_float_array("Y", Y, ndim=2)
    if X.shape != Y.shape:
        raise ValueError(f"X and Y must have the same shape (batch, T), got {X.shape} and {Y.shape}")
    if theta is None:
        th = student.theta
    else:
        th = as_float_array("theta", theta, ndim=1)
        if th.size != student.theta.size:
            raise ValueError(f"theta must have the {student.theta.size} parameters of this student, got {th.size}")
    p = student.unpack(th)
    n_b, T = X.shape
    d = student.d_h
    scale = 1.0 / (n_b * T)
    g = np.zeros_like(th)
    gp = student.unpack(g)  # views into g (real parts for complex slots handled below)
    if student.kind == "dense":
        A, B, C, D = p["A"], p["B"], p["C"], p["D"]
        H = np.zeros((T + 1, n_b, d))
        for t in range(T):
            H[t + 1] = H[t] @ A.T + np.outer(X[:, t], B)
        E = np.einsum("tbd,d->bt", H[1:], C) + D * X - Y
        loss = 0.5 * scale * np.sum(E ** 2)
        gA, gB = np.zeros((d, d)), np.zeros(d)
        a = np.zeros((n_b, d))
        for t in range(T, 0, -1):
            a = a @ A + scale * np.outer(E[:, t - 1], C)
            gA += a.T @ H[t - 1]
            gB += a.T @ X[:, t - 1]
        gp["A"][:] = gA
        gp["B"][:] = gB
        gp["C"][:] = scale * np.einsum("bt,tbd->d", E, H[1:])
        g[-1] = scale * np.sum(E * X)
        return float(loss), g
    nu = np.exp(-np.exp(p["omega"]))
    lam = nu * np.exp(1j * p["phase"])
    gb_in = student.gamma * p["b"]
    H = np.zeros((T + 1, n_b, d), dtype=complex)
    for t in range(T):
        H[t + 1] = lam * H[t] + np.outer(X[:, t], gb_in)
    E = np.real(H[1:] @ p["c"]).T + p["D"] * X - Y
    loss = 0.5 * scale * np.sum(E ** 2)
    a = np.zeros((n_b, d), dtype=complex)
    g_lam = np.zeros(d, dtype=complex)
    g_b = np.zeros(d, dtype=complex)
    for t in range(T, 0, -1):
        a = np.conj(lam) * a + scale * np.outer(E[:, t - 1], np.conj(p["c"]))
        g_lam += np.sum(a * np.conj(H[t - 1]), axis=0)
        g_b += student.gamma * (a.T @ X[:, t - 1])
    g_c = scale * np.einsum("bt,tbd->d", E, np.conj(H[1:]))
    dlam_domega = -np.exp(p["omega"]) * lam
    g[:d] = np.real(np.conj(g_lam) * dlam_domega)
    g[d: 2 * d] = np.real(np.conj(g_lam) * 1j * lam)
    g[2 * d: 3 * d], g[3 * d: 4 * d] = g_b.real, g_b.imag
    g[4 * d: 5 * d], g[5 * d: 6 * d] = g_c.real, g_c.imag
    g[-1] = scale * np.sum(E * X)
    return float(loss), g


@dataclass(frozen=True)
class StudentRun:
    """Training history of a student: ``loss`` (steps,) on each batch, ``final_loss`` on a held-out batch, status.

    Attributes
    ----------
    loss : ndarray, shape (steps,)
        Training loss of each step (NaN after a divergence).
    final_loss : float
        Loss of the final student on a held-out batch of ``4 · batch`` sequences (``inf`` if diverged).
    status : {"ok", "diverged"}
    student : Student
        The final student.

    Examples
    --------
    >>> from lrnn_theory.memory.students import train_student
    >>> from lrnn_theory.memory import make_teacher
    >>> run = train_student(make_teacher(2, seed=0), "lru", d_h=2, T=4, batch=2, steps=3)
    >>> run.status, run.loss.shape, run.student.kind
    ('ok', (3,), 'lru')
    """

    loss: np.ndarray
    final_loss: float
    status: str
    student: Student


def train_student(teacher: Teacher, kind: str, *, nu0: float = 0.9, d_h: int = 16, T: int = 100, batch: int = 32,
                  steps: int = 2000, lr: float = 1e-3, optimiser=None, seed: int = 0) -> StudentRun:
    """Train a dense or LRU student on fresh white-noise batches from ``teacher`` (:ref:`memory-multidim`, :ref:`memory-simulation-plan` reduced setting).

    The optimiser defaults to Adam with cosine decay over ``steps`` (:ref:`memory-multidim`); a run whose loss
    becomes non-finite or exceeds 1e6 stops with status ``"diverged"``.

    Parameters
    ----------
    teacher : Teacher
    kind : {"dense", "lru"}
    nu0 : float in (0, 1)
        Smallest eigenvalue modulus at initialisation (:func:`init_student`).
    d_h : int >= 1
        Student hidden size.
    T, batch, steps : int >= 1
        Sequence length, batch size and number of steps (one fresh batch each).
    lr : float > 0
        Learning rate of the default optimiser.
    optimiser : optimiser object, optional
        From :mod:`lrnn_theory.optim` (then ``lr`` is unused).
    seed : int
        Seeds the initialisation and the batches.

    Returns
    -------
    StudentRun

    Raises
    ------
    TypeError
        ``teacher`` not a :class:`~lrnn_theory.memory.Teacher`, ``optimiser`` not an optimiser
        object, or an argument of the wrong type.
    ValueError
        A non-positive size, step count or ``lr``, an ``optimiser`` given by name, or an argument
        :func:`init_student` rejects.

    Examples
    --------
    >>> import numpy as np
    >>> from lrnn_theory.memory.students import train_student
    >>> from lrnn_theory.memory import make_teacher
    >>> run = train_student(make_teacher(2, seed=0), "dense", d_h=2, T=4, batch=2, steps=3, lr=1e-3)
    >>> run.status, bool(np.all(np.isfinite(run.loss))), run.student.theta.shape
    ('ok', True, (9,))
    """
    if not isinstance(teacher, Teacher):
        raise TypeError(f"teacher must be a Teacher, got {type(teacher).__name__}")
    steps = check_int("steps", steps, minimum=1)
    T = check_int("T", T, minimum=1)
    batch = check_int("batch", batch, minimum=1)
    lr = check_positive_float("lr", lr)
    opt = Cosine(Adam(lr), steps) if optimiser is None else check_optimiser("optimiser", optimiser)
    student = init_student(kind, d_h, nu0=nu0, seed=seed)
    rng = np.random.default_rng([check_seed("seed", seed), 11])
    theta = student.theta.copy()
    state = opt.init(theta)
    losses, status = np.full(steps, np.nan), "ok"
    for k in range(steps):
        X = rng.standard_normal((batch, T))
        loss, g = student_loss_and_grad(student, X, teacher_outputs(teacher, X), theta)
        if not np.isfinite(loss) or loss > 1e6:
            status = "diverged"
            break
        losses[k] = loss
        delta, state = opt.step(g, state, k)
        theta = theta + delta
    final = Student(student.kind, student.d_h, theta, student.gamma)
    X = rng.standard_normal((4 * batch, T))
    final_loss = student_loss_and_grad(final, X, teacher_outputs(teacher, X))[0] if status == "ok" else np.inf
    if not np.isfinite(final_loss):
        status, final_loss = "diverged", np.inf
    return StudentRun(loss=losses, final_loss=float(final_loss), status=status, student=final)


def student_point(nu0: float, model: str, lr: float, *, seed: int = 0, theta_max: float = np.pi, d_h: int = 16,
                  teacher_d_h: int = 10, T: int = 100, batch: int = 32, steps: int = 2000) -> dict:
    """One cell of :ref:`gallery-memory-f5` / :ref:`gallery-memory-f8`: a teacher with eigenvalue moduli in ``[ν_0, 1)`` and phases within ``θ_max``,
    a ``model`` student (``"dense"`` or ``"lru"``) trained with Adam + cosine at ``lr``; returns its final loss.

    Parameters
    ----------
    nu0 : float in (0, 1)
        Smallest eigenvalue modulus of teacher and student.
    model : {"dense", "lru"}
    lr : float > 0
    seed : int
    theta_max : float in (0, π]
        Largest teacher eigenvalue phase.
    d_h, teacher_d_h, T, batch, steps : int >= 1
        Student and teacher sizes and the training protocol of :func:`train_student`.

    Returns
    -------
    dict
        ``{"final_loss": float, "diverged": 0.0 or 1.0}``.

    Raises
    ------
    TypeError, ValueError
        As :func:`~lrnn_theory.memory.make_teacher` and :func:`train_student`.

    Examples
    --------
    >>> from lrnn_theory.memory.students import student_point
    >>> out = student_point(0.9, "lru", 1e-3, d_h=2, teacher_d_h=2, T=4, batch=2, steps=3)
    >>> sorted(out), out["diverged"]
    (['diverged', 'final_loss'], 0.0)
    """
    teacher = make_teacher(teacher_d_h, nu_min=nu0, nu_max=1.0, theta_max=theta_max, seed=seed)
    run = train_student(teacher, model, nu0=nu0, d_h=d_h, T=T, batch=batch, steps=steps, lr=lr, seed=seed)
    return {"final_loss": run.final_loss, "diverged": float(run.status == "diverged")}
