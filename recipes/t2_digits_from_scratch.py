"""Tutorial T2, "Building a neural network from scratch", on deepkit's NumPy reference.

Run:  python recipes/t2_digits_from_scratch.py

T2's 20x20 course digits are not public; scikit-learn's 8x8 digits stand in
(64 inputs instead of 400). T2's bugs fixed: eps = sqrt(6)/sqrt(L_in + L_out)
(not 6**1/2 = 3), the update w -= alpha * gradient, argmax accuracy on held-out data.
"""

from deepkit.recipes import t2

SEED = 0

# 1. Data: 1,797 digits, pixels scaled to [0, 1], 20% held out (stratified).
x_train, x_test, y_train, y_test = t2.load(test_size=0.2, seed=SEED)
print(f"{len(x_train)} training / {len(x_test)} held-out digits, {x_train.shape[1]} pixels each")

# 2. The network: 64-25-10, sigmoid everywhere, weights uniform in [-eps, eps],
#    eps = sqrt(6) / sqrt(L_in + L_out); biases ~ Normal(0, 1).
print(f"eps: hidden {t2.epsilon(64, 25):.4f}, output {t2.epsilon(25, 10):.4f}")

# 3. Full-batch gradient descent on J = (1/m) sum -y log a - (1 - y) log(1 - a):
#    first T2's own setting (learning rate 0.003, 20 epochs), then an ordinary one.
data = (x_train, x_test, y_train, y_test)
faithful = t2.train("T2's (faithful)", seed=SEED, data=data, **t2.FAITHFUL)
sensible = t2.train("sensible", seed=SEED, data=data, **t2.SENSIBLE)

# 4. Held-out argmax accuracy, beside T2's own count ("any output >= 0.5 where the
#    target is 1", on the training data), which is how it reported 100%.
print(t2.T2Result(n_train=len(x_train), n_test=len(x_test), runs=[faithful, sensible]).report())
