"""The seed's gRPC client code, unchanged (`model_pb2.PredictRequest(features=[...])`,
`model_pb2.HealthRequest()`), with grpcio (pinned) and stubs generated from our proto file."""

import grpc
import pytest

SEED_ROWS = [([5.1, 3.5, 1.4, 0.2], 0), ([6.3, 2.5, 4.9, 1.5], 1), ([6.5, 3.0, 5.8, 2.2], 2)]


@pytest.fixture(scope="module")
def stub(server, seed_stubs):
    _, model_pb2_grpc = seed_stubs
    channel = grpc.insecure_channel(server.address)
    yield model_pb2_grpc.PredictionServiceStub(channel)
    channel.close()


def test_seed_health(stub, seed_stubs):
    model_pb2, _ = seed_stubs
    response = stub.Health(model_pb2.HealthRequest())
    assert response.status == "ok"
    assert response.model_version == "v1.0.0"


@pytest.mark.parametrize("features, label", SEED_ROWS)
def test_seed_predict(stub, seed_stubs, features, label):
    model_pb2, _ = seed_stubs
    response = stub.Predict(model_pb2.PredictRequest(features=features))
    assert response.prediction == label
    assert 0.4 < response.confidence <= 1.0
    assert response.model_version == "v1.0.0"
    assert response.slot == "blue"


def test_pin_and_metadata(stub, seed_stubs):
    model_pb2, _ = seed_stubs
    request = model_pb2.PredictRequest(features=[5.1, 3.5, 1.4, 0.2])
    response, call = stub.Predict.with_call(request, metadata=(("x-hotswap-slot", "green"),))
    assert response.model_version == "v1.1.0"
    trailing = dict(call.trailing_metadata())
    assert trailing["x-hotswap-slot"] == "green"
    assert trailing["x-model-version"] == "v1.1.0"
    assert dict(call.initial_metadata())["x-hotswap-slot"] == "green"


def test_errors(stub, seed_stubs):
    model_pb2, _ = seed_stubs
    with pytest.raises(grpc.RpcError) as error:
        stub.Predict(model_pb2.PredictRequest(features=[1.0, 2.0]))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "'features' has 2 values" in error.value.details()
    with pytest.raises(grpc.RpcError) as error:
        stub.Predict(model_pb2.PredictRequest(features=[1.0, 2.0, 3.0, 4.0]), metadata=(("x-hotswap-slot", "purple"),))
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
    assert stub.Health(model_pb2.HealthRequest()).status == "ok"
