#!/usr/bin/env python3
"""serve_fastapi.py - the idiomatic Python peer of pp-serve for
tests/bench/serve.sh: FastAPI with a pydantic request model, the same
V1 shape, a scikit-learn Ridge fitted once at start on the same CSV.

    uvicorn --workers 2 --app-dir tests/bench serve_fastapi:app
    (TRAIN_CSV: the training frame; FEATURES: comma-separated names)
"""
import os
from typing import List

import numpy as np
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel
from sklearn.linear_model import Ridge

features = os.environ["FEATURES"].split(",")
frame = pd.read_csv(os.environ["TRAIN_CSV"]).dropna(subset=features + ["y"])
model = Ridge(alpha=1.0).fit(frame[features].to_numpy(), frame["y"].to_numpy())
app = FastAPI()


class Instances(BaseModel):
    instances: List[List[float]]


@app.post("/v1/models/{name}:predict")
def predict(name: str, body: Instances):
    x = np.asarray(body.instances, dtype=float)
    return {"predictions": model.predict(x).tolist()}
