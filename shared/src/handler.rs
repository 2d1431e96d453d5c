//! The `Handler` trait, implemented for async functions of 0..=8 extractor
//! arguments, and its type-erased form stored by the resolver.

use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

use futures_util::FutureExt;

use crate::error::ActionError;
use crate::extract::{FromInvocation, Invocation};
use crate::operation::OperationDoc;
use crate::response::{IntoReply, Reply};
use crate::validate::HandlerChecks;

/// A boxed future of a handler's reply.
pub(crate) type ReplyFuture = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// An async function usable as a route, function or task handler.
///
/// Implemented for every `async fn(E1, .., En) -> R` (n ≤ 8) whose
/// arguments implement [`FromInvocation`] and whose result implements
/// [`IntoReply`]; you never implement it yourself.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an actionkit handler",
    label = "not a handler for a resolver with state `{S}`",
    note = "a handler is an `async fn` of at most 8 arguments, each an extractor (`Query<T>`, `Path<T>`, `Body<T>`, `State<S>`, ... — see `FromInvocation`), returning `Json<T>`, `Response<T>`, `Result<_, ActionError>` or another `IntoReply`",
    note = "`Query<T>`, `Path<T>`, `Body<T>` and `Json<T>` need `T` declared with `#[actionkit::model]` (or, by hand: `Deserialize` + `IntoParams` for `Query`/`Path`, `Deserialize` + `ToSchema` for `Body`, `Serialize` + `ToSchema` for `Json`)",
    note = "`State<S>` must name the resolver's state type exactly (`Resolver::with_state(.., state)`), and the function must be `async`"
)]
pub trait Handler<Args, S>: Clone + Send + Sync + Sized + 'static {
    /// Extracts the arguments and starts the handler.
    #[doc(hidden)]
    fn start(&self, invocation: &Invocation<'_>, state: &S) -> Result<ReplyFuture, ActionError>;

    /// Documents the extractors and the response.
    #[doc(hidden)]
    fn describe(doc: &mut OperationDoc);

    /// Documents the extractors only: what the checks compiled at
    /// registration read. The response is documented when a schema is
    /// asked for, not at every cold start.
    #[doc(hidden)]
    fn describe_request(doc: &mut OperationDoc);
}

macro_rules! impl_handler {
    ($($arg:ident),*) => {
        impl<F, Fut, R, S, $($arg,)*> Handler<($($arg,)*), S> for F
        where
            F: Fn($($arg),*) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future<Output = R> + Send + 'static,
            R: IntoReply + 'static,
            $($arg: FromInvocation<S> + Send + 'static,)*
        {
            #[allow(non_snake_case, unused_variables)]
            fn start(&self, invocation: &Invocation<'_>, state: &S) -> Result<ReplyFuture, ActionError> {
                $(let $arg = $arg::from_invocation(invocation, state)?;)*
                let future = (self)($($arg),*);
                Ok(Box::pin(async move { future.await.into_reply() }))
            }

            fn describe(doc: &mut OperationDoc) {
                <Self as Handler<($($arg,)*), S>>::describe_request(doc);
                R::describe(doc);
            }

            #[allow(unused_variables)]
            fn describe_request(doc: &mut OperationDoc) {
                $($arg::describe(doc);)*
            }
        }
    };
}

impl_handler!();
impl_handler!(A1);
impl_handler!(A1, A2);
impl_handler!(A1, A2, A3);
impl_handler!(A1, A2, A3, A4);
impl_handler!(A1, A2, A3, A4, A5);
impl_handler!(A1, A2, A3, A4, A5, A6);
impl_handler!(A1, A2, A3, A4, A5, A6, A7);
impl_handler!(A1, A2, A3, A4, A5, A6, A7, A8);

/// A handler with its argument types erased, as the resolver stores it.
pub(crate) trait ErasedHandler<S>: Send + Sync {
    fn start(&self, invocation: &Invocation<'_>, state: &S) -> Result<ReplyFuture, ActionError>;
}

pub(crate) struct Erased<H, Args> {
    handler: H,
    /// The rules its schema documents, compiled once at registration.
    checks: HandlerChecks,
    _args: PhantomData<fn() -> Args>,
}

impl<H, Args> Erased<H, Args> {
    /// Erases `handler`, compiling the rules its extractors' schemas document.
    ///
    /// # Panics
    ///
    /// At registration (cold start), when a documented rule cannot be
    /// enforced (a `pattern` the `regex` crate rejects): better a function
    /// that refuses to start than one that ignores a documented rule.
    pub(crate) fn boxed<S>(handler: H) -> Box<dyn ErasedHandler<S>>
    where
        H: Handler<Args, S>,
        Args: 'static,
        S: 'static,
    {
        let mut doc = OperationDoc::default();
        H::describe_request(&mut doc);
        let checks = HandlerChecks::compile(&doc, std::any::type_name::<H>())
            .unwrap_or_else(|e| panic!("actionkit: {e}"));
        Box::new(Erased {
            handler,
            checks,
            _args: PhantomData,
        })
    }
}

impl<H: Handler<Args, S>, Args, S> ErasedHandler<S> for Erased<H, Args> {
    fn start(&self, invocation: &Invocation<'_>, state: &S) -> Result<ReplyFuture, ActionError> {
        // Documented rules first: a bound the model broke is named as such,
        // not as whatever the Rust type would have refused.
        self.checks.check(invocation)?;
        self.handler.start(invocation, state)
    }
}

/// One compiled handler exposed several ways (an [`Action`](crate::Action)
/// with a route, a function and a task): compiled once, shared.
impl<S> ErasedHandler<S> for std::sync::Arc<dyn ErasedHandler<S>> {
    fn start(&self, invocation: &Invocation<'_>, state: &S) -> Result<ReplyFuture, ActionError> {
        (**self).start(invocation, state)
    }
}

/// Extracts the arguments and runs a handler, turning panics into 500s.
pub(crate) async fn run_handler<S>(
    handler: &dyn ErasedHandler<S>,
    invocation: &Invocation<'_>,
    state: &S,
) -> Reply {
    let started = std::panic::catch_unwind(AssertUnwindSafe(|| handler.start(invocation, state)));
    match started {
        Err(_) => Reply::error(ActionError::internal(
            "handler panicked while decoding its arguments",
        )),
        Ok(Err(rejection)) => Reply::error(rejection),
        Ok(Ok(future)) => match AssertUnwindSafe(future).catch_unwind().await {
            Ok(reply) => reply,
            // The panic's message may quote the input: it is not logged here
            // (the panic hook of `init_tracing` logs where it happened).
            Err(_) => Reply::error(ActionError::internal("handler panicked")),
        },
    }
}
