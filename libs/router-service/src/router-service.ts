import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import {
  ExplainResponseSchema,
  InferResponseSchema,
  InferStreamResponseSchema,
  RouterService,
  SubmitFeedbackResponseSchema,
  type AnalyzerService,
  type Attempt,
  type DecisionService,
  type InferRequest,
  type InferResponse,
  type PolicyOverride,
  type RegistryService,
} from "@modelrouter/contracts";
import { DomainError, ErrorReason, invalidField } from "@modelrouter/errors";
import type { Component } from "@modelrouter/host";
import { Code, RpcError, callSpan, callTraceId, type CallContext, type ServiceClient, type ServiceImpl } from "@modelrouter/rpc-kit";
import { RouteAttr, RouteEvent, type Logger } from "@modelrouter/telemetry";
import { feedbackRequestNotFound, isConfinedToTenant, mayAccessDecision, tenantOfCall, tierOfCall } from "./caller-tenant.js";
import { createDecisionRecorder, observedRecorder, type DecisionObserver, type DecisionRecorder } from "./decision-recorder.js";
import { decisionRecordOf, type RoutedRequest } from "./decision-records.js";
import { executeStreamWithFallbacks } from "./execute-stream-with-fallbacks.js";
import { executeWithFallbacks, type Execution, type ExecutionPlan } from "./execute-with-fallbacks.js";
import type { ExecutorInstances } from "./executor-instances.js";
import { hopError, type Hop } from "./hop-errors.js";
import { instanceStatuses } from "./instance-statuses.js";
import { startModelStats, type ModelStatsSettings } from "./model-stats-settings.js";
import type { ModelStatsReporter } from "./model-stats-reporter.js";
import type { GatedCall, GatedOutcome, GatePass, RequestGate } from "./request-gate.js";
import { shadowExecuteOn } from "./shadow-executors.js";
import { createShadowRunner, type ShadowRunner, type ShadowSettings } from "./shadow-runner.js";
import { validateFeedbackRequest, validateInferRequest } from "./request-validation.js";

/** A request's pass through the gate (once admitted) and how it ended. */
interface GateHold {
  readonly call: GatedCall;
  pass?: GatePass | undefined;
  outcome?: GatedOutcome;
}

/** How an execution ends for the gate: an executor that refused for overload (RESOURCE_EXHAUSTED) makes the limit back off. */
const gateOutcomeOf = (execution: Execution): GatedOutcome =>
  execution.ok ? "ok" : execution.error instanceof RpcError && execution.error.code === Code.RESOURCE_EXHAUSTED ? "overloaded" : "failed";

/** A routed request and its absolute deadline (epoch ms). */
type Routed = RoutedRequest & { readonly deadline: number };

/** The most model versions whose calls in flight a Decide request carries (the busiest first). */
const MAX_LOAD_ENTRIES = 64;

/** Limits of the router. */
export interface RouterLimits {
  /** The deadline of a request that arrives without one, in ms. */
  readonly defaultDeadlineMs: number;
  /** No request may take longer than this, in ms, whatever deadline it asks for. */
  readonly maxDeadlineMs: number;
  /** At most this many models are tried per request (the target and its fallbacks); instance retries count once. */
  readonly maxAttempts: number;
  /** At most this many executor instances run one model version of a request (default: every instance, once). */
  readonly maxInstanceAttempts?: number;
}

/** How the router writes the decision log. */
export interface DecisionLogSettings {
  /** The fraction of requests recorded, 0 to 1 (feedback is possible only for recorded requests). */
  readonly sampleRate: number;
  /** Records being written at once; more are dropped and counted. */
  readonly maxInFlight: number;
  /** The deadline of one write, in ms. */
  readonly timeoutMs: number;
}

/** Dependencies of {@link createRouterService}: the services it calls, in either topology. */
export interface RouterDependencies {
  readonly analyzer: ServiceClient<typeof AnalyzerService>;
  readonly decision: ServiceClient<typeof DecisionService>;
  /**
   * The executor instances requests run on, with the router's calls in flight on each and their breakers
   * (`singleExecutor` for one executor, for example one hosted in this process).
   */
  readonly executors: ExecutorInstances;
  /** For the decision log and feedback. */
  readonly registry: ServiceClient<typeof RegistryService>;
  readonly logger: Logger;
  readonly limits: RouterLimits;
  readonly decisionLog: DecisionLogSettings;
  /** Bounds on shadow (mirrored) traffic. Default: 32 in flight, each at most `limits.maxDeadlineMs`. */
  readonly shadows?: ShadowSettings;
  /** Live statistics: every attempt counted and reported to the registry in batches. Default: none kept. */
  readonly modelStats?: ModelStatsSettings;
  /**
   * The per-tenant rate limits and concurrency quotas and the adaptive concurrency limit, checked for Infer,
   * InferStream and Explain once the tenant and tier are known, before any downstream call. Default: none.
   */
  readonly gate?: RequestGate;
  /** Told of every request's decision record (and its shadows' results): the routing metrics. Default: none. */
  readonly observeDecision?: DecisionObserver;
  readonly clock?: () => number;
  readonly random?: () => number;
  readonly newRequestId?: () => string;
  /**
   * What must be ready before the router can serve: the services it hosts in-process (co-located), which
   * report NOT_SERVING until then.
   */
  readonly dependenciesReady?: readonly Promise<void>[];
}

/** The router: its service component (closing it drains the decision recorder and the live statistics) and the recorder itself. */
export interface Router extends Component<typeof RouterService> {
  readonly impl: ServiceImpl<typeof RouterService>;
  readonly recorder: DecisionRecorder;
  /** Runs the decisions' shadows, off the request path. */
  readonly shadows: ShadowRunner;
  /** Counts every attempt and reports the counts to the registry (undefined when live statistics are off). */
  readonly modelStats: ModelStatsReporter | undefined;
  readonly ready: Promise<void>;
  readonly close: () => Promise<void>;
}

/**
 * Creates the RouterService: validate → analyze → decide → execute (falling back within the deadline) →
 * answer with the outputs, the model, the policy and rule, the attempts and the trace id, then record the
 * decision in the registry's decision log. `InferStream` does the same with `ExecuteStream`: it sends the decision
 * (`start`) before any model runs, each delta of a chat model's answer as it comes, then `done` (what `Infer` would
 * answer); fallbacks run only until the first delta was sent, the deadline bounds the whole stream, a client that
 * stops reading cancels the executor call, and the decision is logged with `streamed` set. `Explain` stops before executing, and passes its `what_if` (an
 * unsaved policy or a stored revision, which the decision engine evaluates in place of the applied policy of that
 * name, storing nothing) with the Decide call, returning the decision unchanged with every executor instance's
 * breaker state (HEALTHY, EJECTED, PROBING), reason and calls in flight; `SubmitFeedback` attaches the
 * truth to a logged decision. A caller whose credential belongs to a tenant is served for that tenant only: its
 * requests take its tenant (another one is PERMISSION_DENIED), and its feedback reaches only its tenant's decisions. With `modelStats`, every attempt of a request (not of a shadow) is counted and the
 * counts are reported to the registry every interval; closing the router reports what is left.
 */
export function createRouterService(deps: RouterDependencies): Router {
  const now = deps.clock ?? Date.now;
  const { executors } = deps;
  const newRequestId = deps.newRequestId ?? (() => crypto.randomUUID());
  const shadows = createShadowRunner({
    execute: shadowExecuteOn(executors, deps.random ?? Math.random, now),
    maxInFlight: deps.shadows?.maxInFlight ?? 32,
    maxDeadlineMs: deps.shadows?.maxDeadlineMs ?? deps.limits.maxDeadlineMs,
  });
  const recorder = observedRecorder(
    createDecisionRecorder({
      registry: deps.registry,
      logger: deps.logger,
      random: deps.random ?? Math.random,
      ...deps.decisionLog,
    }),
    deps.observeDecision,
  );
  const modelStats = deps.modelStats === undefined ? undefined : startModelStats(deps.modelStats, deps.registry, deps.logger);

  /** Calls a service, turning its transport failures into errors a client may see. */
  const via = <T>(hop: Hop, call: Promise<T>): Promise<T> => call.catch((error: unknown) => Promise.reject(hopError(hop, error, deps.logger)));

  async function route(
    request: InferRequest,
    ctx: CallContext,
    fieldPrefix: string,
    /** Explain asks for the whole explanation (and may carry a what-if policy); Infer needs only the decision. */
    mode: { readonly explain: boolean; readonly whatIf?: PolicyOverride | undefined },
    /** Receives the request's pass through the gate; the caller ends it when the request ends. */
    hold: GateHold,
  ): Promise<Routed> {
    validateInferRequest(request, fieldPrefix).throwIfAny("the request is invalid");
    const tenant = tenantOfCall(request.tenant, ctx.identity, `${fieldPrefix}tenant`);
    const tier = tierOfCall(request.tier, ctx.identity, `${fieldPrefix}tier`);
    const start = now();
    const deadline = Number.isFinite(ctx.deadline)
      ? Math.min(ctx.deadline, start + deps.limits.maxDeadlineMs)
      : start + deps.limits.defaultDeadlineMs;
    const requestId = request.requestId === "" ? newRequestId() : request.requestId;
    const span = callSpan(ctx);
    span?.setAttribute(RouteAttr.REQUEST_ID, requestId);
    if (tenant !== "") span?.setAttribute(RouteAttr.TENANT, tenant);
    hold.pass = deps.gate?.enter(tenant, tier, hold.call);

    const { profile } = await via("analyzer", deps.analyzer.analyze({ payload: request.payload, metadata: request.metadata }, { deadline, parent: ctx }));
    if (profile === undefined) throw new DomainError(ErrorReason.INTERNAL, "the analyzer returned no profile");

    const timeout = durationFromMs(Math.max(0, deadline - now()));
    const { decision } = await via("decision engine", deps.decision.decide(
      {
        profile,
        context: {
          requestId,
          metadata: request.metadata,
          tenant,
          tier,
          userId: request.userId,
          timeout,
          policy: request.policy,
        },
        load: [...executors.load.models(MAX_LOAD_ENTRIES)],
        explain: mode.explain,
        ...(mode.whatIf === undefined ? {} : { whatIf: mode.whatIf }),
      },
      { deadline, parent: ctx },
    ));
    const target = decision?.target?.model;
    if (decision === undefined || target === undefined) throw new DomainError(ErrorReason.INTERNAL, "the decision engine returned no target");
    span?.setAttributes({
      [RouteAttr.POLICY]: decision.policy,
      [RouteAttr.RULE]: decision.rule,
      [RouteAttr.MODEL]: target.name,
      [RouteAttr.MODEL_VERSION]: target.version,
    });
    span?.addEvent(RouteEvent.ROUTE_CHOSEN, {
      policy: decision.policy,
      rule: decision.rule,
      model: target.name,
      fallbacks: decision.fallbacks.map((f) => f.model?.name ?? "").join(","),
    });
    const facts = { metadata: request.metadata, tier, userId: request.userId, timeout };
    return { requestId, tenant, request: facts, profile, decision, traceId: callTraceId(ctx), time: start, deadline };
  }

  /** What a client may see of an executor's failure. */
  const executorError = (error: unknown) => hopError("executor", error, deps.logger);

  const planOf = (routed: Routed, request: InferRequest): ExecutionPlan => ({
    requestId: routed.requestId,
    payload: request.payload!,
    candidates: [routed.decision.target!, ...routed.decision.fallbacks],
    deadline: routed.deadline,
    maxAttempts: deps.limits.maxAttempts,
    ...(deps.limits.maxInstanceAttempts === undefined ? {} : { maxInstanceAttempts: deps.limits.maxInstanceAttempts }),
  });

  /**
   * After the execution: starts the shadows (once the primary has answered, so that they never compete with it for
   * an executor worker), records the decision, and answers — or throws the execution's error.
   */
  function conclude(routed: Routed, request: InferRequest, execution: Execution, ctx: CallContext, streamed: boolean): InferResponse {
    const { decision } = routed;
    const budgetMs = routed.deadline - routed.time;
    const mirrored = shadows.start(decision.shadows, { requestId: routed.requestId, payload: request.payload!, budgetMs, traceContext: ctx.traceContext });
    recorder.record(decisionRecordOf(routed, execution, streamed), ctx.traceContext, mirrored?.results(execution.ok ? execution.response.outputs : undefined));
    if (!execution.ok) throw execution.error;
    const { fallbackUsed } = execution;
    const model = execution.served.model;
    callSpan(ctx)?.setAttributes({
      [RouteAttr.FALLBACK]: fallbackUsed,
      [RouteAttr.MODEL]: model?.name ?? "",
      [RouteAttr.MODEL_VERSION]: model?.version ?? "",
    });
    return create(InferResponseSchema, {
      requestId: routed.requestId,
      outputs: execution.response.outputs,
      model,
      policy: decision.policy,
      rule: decision.rule,
      fallbackUsed,
      attempts: [...execution.attempts],
      traceId: routed.traceId,
    });
  }

  const impl: ServiceImpl<typeof RouterService> = {
    async infer(request, ctx) {
      const hold: GateHold = { call: "infer" };
      try {
        const routed = await route(request, ctx, "", { explain: false }, hold);
        const execution = await executeWithFallbacks(
          executors,
          planOf(routed, request),
          ctx,
          now,
          executorError,
          deps.random ?? Math.random,
          modelStats?.collector,
        );
        hold.outcome = gateOutcomeOf(execution);
        return conclude(routed, request, execution, ctx, false);
      } finally {
        hold.pass?.end(hold.outcome ?? "failed");
      }
    },

    async *inferStream(request, ctx) {
      const hold: GateHold = { call: "stream" };
      try {
        const inner = request.request;
        if (inner === undefined) throw invalidField("request", "is required: the InferRequest to stream, with its payload and metadata");
        const routed = await route(inner, ctx, "request.", { explain: false }, hold);
        const { decision } = routed;
        yield create(InferStreamResponseSchema, {
          event: {
            case: "start",
            value: {
              requestId: routed.requestId,
              policy: decision.policy,
              rule: decision.rule,
              model: decision.target?.model,
              fallbacks: decision.fallbacks.flatMap((f) => (f.model === undefined ? [] : [f.model])),
              traceId: routed.traceId,
            },
          },
        });
        const attempts: Attempt[] = [];
        let execution: Execution | undefined;
        try {
          execution = yield* executeStreamWithFallbacks(
            executors,
            planOf(routed, inner),
            ctx,
            { now, describe: executorError, random: deps.random ?? Math.random, observer: modelStats?.collector },
            attempts,
          );
        } finally {
          // The client went away mid-stream: the decision is logged as cancelled, with the attempts made.
          if (execution === undefined) {
            const error = new RpcError({ code: Code.CANCELLED, message: "the client cancelled the stream" });
            recorder.record(decisionRecordOf(routed, { ok: false, error, attempts }, true), ctx.traceContext);
          }
        }
        hold.outcome = gateOutcomeOf(execution);
        yield create(InferStreamResponseSchema, { event: { case: "done", value: conclude(routed, inner, execution, ctx, true) } });
      } finally {
        hold.pass?.end(hold.outcome ?? "failed");
      }
    },

    async explain(request, ctx) {
      if (request.request === undefined) {
        throw invalidField("request", "is required: the InferRequest to explain, with its payload and metadata");
      }
      const hold: GateHold = { call: "explain" };
      try {
        const routed = await route(request.request, ctx, "request.", { explain: true, whatIf: request.whatIf }, hold);
        hold.outcome = "ok";
        return create(ExplainResponseSchema, {
          profile: routed.profile,
          decision: routed.decision,
          traceId: routed.traceId,
          instances: instanceStatuses(executors, now()),
        });
      } finally {
        hold.pass?.end(hold.outcome ?? "failed");
      }
    },

    async submitFeedback(request, ctx) {
      validateFeedbackRequest(request).throwIfAny("the feedback is invalid");
      await recorder.settled(request.requestId);
      if (isConfinedToTenant(ctx.identity)) {
        // A caller of a tenant gives feedback only on its tenant's requests; another's is "not found", like an unknown id.
        const logged = await via("registry", deps.registry.getDecision({ requestId: request.requestId }, { parent: ctx }));
        if (logged.decision === undefined || !mayAccessDecision(logged.decision, ctx.identity)) throw feedbackRequestNotFound(request.requestId);
      }
      // Validation guarantees a label or a reward; both have the same case names in the registry's request.
      const value = request.feedback as Exclude<typeof request.feedback, { case: undefined }>;
      const { decision } = await via("registry", deps.registry.recordFeedback({ requestId: request.requestId, value }, { parent: ctx }));
      return create(SubmitFeedbackResponseSchema, { model: decision?.model, correct: decision?.feedback?.correct ?? false });
    },
  };
  return {
    service: RouterService,
    impl,
    // InferStream streams one answer each: a drain lets them finish, like Infer calls.
    streams: "answer",
    recorder,
    shadows,
    modelStats,
    ready: Promise.all(deps.dependenciesReady ?? []).then(() => undefined),
    close: async () => {
      await shadows.close();
      await recorder.close();
      await modelStats?.close();
    },
  };
}
